package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/admissible/admissible/webhook/judge/kinds"
	"github.com/admissible/admissible/webhook/serving"
)

// Check is the outcome of one check.
type Check struct {
	// Name says what was checked.
	Name string
	// Detail says what was found when the check passed or was skipped.
	Detail string
	// Skipped is true when the check could not run from here.
	Skipped bool
	// Err is the broken link, nil when the check passed or was skipped.
	Err error
}

// Verifier checks one webhook of one ValidatingWebhookConfiguration.
type Verifier struct {
	// Client reads the configuration, services and namespaces and sends
	// the canary.
	Client client.Client
	// Configuration is the ValidatingWebhookConfiguration's name.
	Configuration string
	// Webhook is the webhook's name in it.
	Webhook string
	// Catalog is the kinds the webhook judges (built-in and configured).
	Catalog *kinds.Catalog
	// Namespace is where the canary is sent.
	Namespace string
	// Dialer dials the webhook (default: a net.Dialer with a 5 s timeout).
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Run runs every check in order. A check that cannot run because an
// earlier one failed is not reported.
func (v Verifier) Run(ctx context.Context) []Check {
	var checks []Check
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	name := "webhook configuration " + v.Configuration
	if err := v.Client.Get(ctx, client.ObjectKey{Name: v.Configuration}, &vwc); err != nil {
		if apierrors.IsNotFound(err) {
			err = errors.New("the ValidatingWebhookConfiguration does not exist: the API server calls no webhook")
		}
		return append(checks, Check{Name: name, Err: err})
	}
	var w *admissionregistrationv1.ValidatingWebhook
	for i := range vwc.Webhooks {
		if vwc.Webhooks[i].Name == v.Webhook {
			w = &vwc.Webhooks[i]
		}
	}
	if w == nil {
		return append(checks, Check{Name: name, Err: fmt.Errorf("no webhook named %s in it", v.Webhook)})
	}
	checks = append(checks, Check{Name: name, Detail: "has webhook " + v.Webhook + clientDescription(w.ClientConfig)})
	checks = append(checks, v.checkRules(w))
	if w.ClientConfig.Service != nil {
		checks = append(checks, v.checkEndpoints(ctx, w.ClientConfig.Service))
	}
	checks = append(checks, v.checkTLS(ctx, w.ClientConfig))
	checks = append(checks, v.checkCanary(ctx, w))
	return checks
}

// Failed returns the first check that failed, or nil.
func Failed(checks []Check) *Check {
	for i := range checks {
		if checks[i].Err != nil {
			return &checks[i]
		}
	}
	return nil
}

func clientDescription(c admissionregistrationv1.WebhookClientConfig) string {
	if c.URL != nil {
		return ", called at " + *c.URL
	}
	if s := c.Service; s != nil {
		return fmt.Sprintf(", called through service %s/%s", s.Namespace, s.Name)
	}
	return ""
}

// checkRules compares the webhook's rules, path and sideEffects with what
// the catalog needs.
func (v Verifier) checkRules(w *admissionregistrationv1.ValidatingWebhook) Check {
	c := Check{Name: "rules, path and side effects"}
	want := ruleSet(serving.Registration{}.Configuration(v.Catalog).Webhooks[0].Rules)
	got := ruleSet(w.Rules)
	var missing []string
	for r := range want {
		if !got[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	path := ""
	switch cc := w.ClientConfig; {
	case cc.URL != nil:
		if u, err := url.Parse(*cc.URL); err == nil {
			path = u.Path
		}
	case cc.Service != nil && cc.Service.Path != nil:
		path = *cc.Service.Path
	}
	switch {
	case len(missing) > 0:
		c.Err = fmt.Errorf("the rules do not send %s to the webhook: regenerate the configuration (admissible webhook-config, or upgrade the install)", strings.Join(missing, ", "))
	case path != serving.Path:
		c.Err = fmt.Errorf("the API server calls path %q, admissible serve answers at %s", path, serving.Path)
	case w.SideEffects == nil || (*w.SideEffects != admissionregistrationv1.SideEffectClassNone && *w.SideEffects != admissionregistrationv1.SideEffectClassNoneOnDryRun):
		c.Err = errors.New("sideEffects is not None: the API server refuses dry runs instead of calling the webhook")
	default:
		c.Detail = fmt.Sprintf("every kind of the catalog (%d rules) sent to %s", len(want), serving.Path)
	}
	return c
}

// ruleSet flattens rules to "OPERATION group/version/resource" strings.
func ruleSet(rules []admissionregistrationv1.RuleWithOperations) map[string]bool {
	out := map[string]bool{}
	for _, r := range rules {
		for _, op := range r.Operations {
			for _, g := range r.APIGroups {
				for _, ver := range r.APIVersions {
					for _, res := range r.Resources {
						out[fmt.Sprintf("%s %s/%s/%s", op, g, ver, res)] = true
					}
				}
			}
		}
	}
	// A wildcard covers everything of its position.
	for r := range out {
		if strings.Contains(r, "*") {
			return map[string]bool{"*": true}
		}
	}
	return out
}

// checkEndpoints looks for ready endpoints of the webhook's service.
func (v Verifier) checkEndpoints(ctx context.Context, s *admissionregistrationv1.ServiceReference) Check {
	c := Check{Name: fmt.Sprintf("service %s/%s endpoints", s.Namespace, s.Name)}
	var svc corev1.Service
	if err := v.Client.Get(ctx, client.ObjectKey{Namespace: s.Namespace, Name: s.Name}, &svc); err != nil {
		c.Err = fmt.Errorf("the webhook's service: %w", err)
		return c
	}
	var slices discoveryv1.EndpointSliceList
	if err := v.Client.List(ctx, &slices, client.InNamespace(s.Namespace), client.MatchingLabels{discoveryv1.LabelServiceName: s.Name}); err != nil {
		c.Err = fmt.Errorf("endpoints of the webhook's service: %w", err)
		return c
	}
	ready := 0
	for _, sl := range slices.Items {
		for _, e := range sl.Endpoints {
			if e.Conditions.Ready == nil || *e.Conditions.Ready {
				ready += len(e.Addresses)
			}
		}
	}
	if ready == 0 {
		c.Err = errors.New("the service has no ready endpoints: the API server cannot reach the webhook (are its pods running and ready?)")
		return c
	}
	c.Detail = fmt.Sprintf("%d ready", ready)
	return c
}

// checkTLS dials the webhook and verifies its certificate with the
// caBundle, for the host name the API server uses.
func (v Verifier) checkTLS(ctx context.Context, cc admissionregistrationv1.WebhookClientConfig) Check {
	c := Check{Name: "caBundle verifies the serving certificate"}
	pool := x509.NewCertPool()
	if len(cc.CABundle) == 0 || !pool.AppendCertsFromPEM(cc.CABundle) {
		c.Err = errors.New("the configuration has no caBundle the API server can use (is cert-manager's cainjector running?)")
		return c
	}
	var addr, serverName string
	switch {
	case cc.URL != nil:
		u, err := url.Parse(*cc.URL)
		if err != nil {
			c.Err = fmt.Errorf("url %q: %w", *cc.URL, err)
			return c
		}
		port := u.Port()
		if port == "" {
			port = "443"
		}
		addr, serverName = net.JoinHostPort(u.Hostname(), port), u.Hostname()
	case cc.Service != nil:
		port := int32(443)
		if cc.Service.Port != nil {
			port = *cc.Service.Port
		}
		serverName = cc.Service.Name + "." + cc.Service.Namespace + ".svc"
		addr = net.JoinHostPort(serverName, strconv.Itoa(int(port)))
		if _, err := net.DefaultResolver.LookupHost(ctx, serverName); err != nil {
			c.Skipped = true
			c.Detail = fmt.Sprintf("%s does not resolve from here (run in the cluster, as helm test does, to check it)", serverName)
			return c
		}
	default:
		c.Err = errors.New("the configuration names neither a URL nor a service")
		return c
	}
	dial := v.Dialer
	if dial == nil {
		dial = (&net.Dialer{Timeout: 5 * time.Second}).DialContext
	}
	raw, err := dial(ctx, "tcp", addr)
	if err != nil {
		c.Err = fmt.Errorf("the API server could not reach the webhook: nothing answers at %s: %w", addr, err)
		return c
	}
	conn := tls.Client(raw, &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12})
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if err := conn.HandshakeContext(ctx); err != nil {
		c.Err = fmt.Errorf("the API server would refuse the webhook's certificate at %s: %w", addr, err)
		return c
	}
	leaf := conn.ConnectionState().PeerCertificates[0]
	c.Detail = fmt.Sprintf("%s presents a certificate for %s, valid until %s", addr, serverName, leaf.NotAfter.UTC().Format(time.DateOnly))
	return c
}

// checkCanary sends the canary with a server-side dry run and reads who
// refused it.
func (v Verifier) checkCanary(ctx context.Context, w *admissionregistrationv1.ValidatingWebhook) Check {
	c := Check{Name: fmt.Sprintf("canary PodTemplate in namespace %s (server-side dry run)", v.Namespace)}
	if w.NamespaceSelector != nil {
		var ns corev1.Namespace
		if err := v.Client.Get(ctx, client.ObjectKey{Name: v.Namespace}, &ns); err != nil {
			c.Err = fmt.Errorf("canary namespace: %w", err)
			return c
		}
		sel, err := metav1.LabelSelectorAsSelector(w.NamespaceSelector)
		if err != nil {
			c.Err = fmt.Errorf("the webhook's namespaceSelector: %w", err)
			return c
		}
		if !sel.Matches(labels.Set(ns.Labels)) {
			c.Err = fmt.Errorf("namespace %s is excluded by the webhook's namespaceSelector: send the canary elsewhere (--namespace)", v.Namespace)
			return c
		}
	}
	canary := Canary(v.Namespace)
	err := v.Client.Create(ctx, canary, client.DryRunAll)
	switch {
	case err == nil:
		c.Err = errors.New("the API server admitted the canary: it did not call the webhook, or could not reach it and failurePolicy Ignore let the canary through")
	case strings.Contains(err.Error(), fmt.Sprintf("admission webhook %q denied the request: %s", v.Webhook, serving.CanaryRefusal)):
		c.Detail = "refused by webhook " + v.Webhook
	case strings.Contains(err.Error(), serving.CanaryRefusal):
		// The API server reports one refusal when several webhooks refuse.
		c.Skipped = true
		c.Detail = "refused by another admissible webhook registered in the cluster, so this one's refusal cannot be told apart: " + err.Error()
	case strings.Contains(err.Error(), "failed calling webhook"):
		c.Err = fmt.Errorf("the API server could not reach the webhook: %w", err)
	default:
		c.Err = fmt.Errorf("the API server refused the canary before the webhook judged it: %w", err)
	}
	return c
}

// Canary is the object verify sends: a PodTemplate the webhook refuses
// because of its annotation.
func Canary(namespace string) *corev1.PodTemplate {
	return &corev1.PodTemplate{
		ObjectMeta: metav1.ObjectMeta{
			Name: "admissible-verify-canary", Namespace: namespace,
			Annotations: map[string]string{serving.AnnotationCanary: "admissible verify"},
		},
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "canary", Image: "registry.k8s.io/pause:3.10"}},
		}},
	}
}
