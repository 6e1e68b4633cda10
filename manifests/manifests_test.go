package manifests

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/kinds"
	"github.com/admissible/admissible/webhook/serving"
)

var overlays = map[string]struct {
	dir           string
	failurePolicy admissionregistrationv1.FailurePolicyType
	// chartValues render the same objects from the chart.
	chartValues string
}{
	"base":       {dir: "base", failurePolicy: admissionregistrationv1.Ignore},
	"strict":     {dir: "overlays/strict", failurePolicy: admissionregistrationv1.Fail, chartValues: "failurePolicy: Fail\npriorityClassName: system-cluster-critical\n"},
	"monitoring": {dir: "overlays/monitoring", failurePolicy: admissionregistrationv1.Ignore, chartValues: "metrics: {enabled: true}\n"},
}

func TestGeneratedFilesAreCurrent(t *testing.T) {
	files, err := Generated()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range files {
		got, err := os.ReadFile(filepath.FromSlash(path))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s is stale; run %s (-want +got):\n%s", path, generatedCommand, diff)
		}
	}
}

// The API server must send exactly the kinds the code judges.
func TestWebhookRulesMatchTheCode(t *testing.T) {
	want := serving.Registration{}.Configuration(kinds.Builtin()).Webhooks[0].Rules
	for name, o := range overlays {
		t.Run(name, func(t *testing.T) {
			var vwc admissionregistrationv1.ValidatingWebhookConfiguration
			typed(t, kustomize(t, o.dir).get(t, "ValidatingWebhookConfiguration", Name), &vwc)
			if len(vwc.Webhooks) != 1 {
				t.Fatalf("%d webhooks, want 1", len(vwc.Webhooks))
			}
			if diff := cmp.Diff(want, vwc.Webhooks[0].Rules); diff != "" {
				t.Errorf("rules drifted from webhook/judge/kinds; run %s (-want +got):\n%s", generatedCommand, diff)
			}
			if got := *vwc.Webhooks[0].FailurePolicy; got != o.failurePolicy {
				t.Errorf("failurePolicy %s, want %s", got, o.failurePolicy)
			}
		})
	}
}

// The objects of the install must agree with one another: the webhook
// configuration names the Service, the Service the pods' port, the
// certificate the Service's DNS name, and so on.
func TestInstallIsCoherent(t *testing.T) {
	for name, o := range overlays {
		t.Run(name, func(t *testing.T) {
			checkCoherent(t, kustomize(t, o.dir))
		})
	}
}

func checkCoherent(t *testing.T, objs objects) {
	t.Helper()
	var (
		vwc         admissionregistrationv1.ValidatingWebhookConfiguration
		svc         corev1.Service
		deploy      appsv1.Deployment
		binding     rbacv1.ClusterRoleBinding
		role        rbacv1.ClusterRole
		servingCert cmapi.Certificate
		ns          corev1.Namespace
		issuers     = map[string]cmapi.Issuer{}
		certs       = map[string]cmapi.Certificate{}
		webhookW    admissionregistrationv1.ValidatingWebhook
	)
	typed(t, objs.get(t, "ValidatingWebhookConfiguration", Name), &vwc)
	typed(t, objs.get(t, "Service", Name), &svc)
	typed(t, objs.get(t, "Deployment", Name), &deploy)
	typed(t, objs.get(t, "ClusterRoleBinding", Name), &binding)
	typed(t, objs.get(t, "ClusterRole", Name), &role)
	typed(t, objs.get(t, "Namespace", Namespace), &ns)
	for k, o := range objs {
		switch o.GetKind() {
		case "Issuer":
			var i cmapi.Issuer
			typed(t, o, &i)
			issuers[i.Name] = i
		case "Certificate":
			var c cmapi.Certificate
			typed(t, o, &c)
			certs[c.Name] = c
		}
		if strings.HasPrefix(k, "Namespace/") || o.GetNamespace() == "" {
			continue
		}
		if o.GetNamespace() != Namespace {
			t.Errorf("%s: namespace %q, want %q", k, o.GetNamespace(), Namespace)
		}
	}
	webhookW = vwc.Webhooks[0]

	// The webhook configuration.
	if webhookW.SideEffects == nil || *webhookW.SideEffects != admissionregistrationv1.SideEffectClassNone {
		t.Errorf("sideEffects %v, want None (kubectl apply --dry-run=server reaches the webhook only then)", webhookW.SideEffects)
	}
	if diff := cmp.Diff([]string{"v1"}, webhookW.AdmissionReviewVersions); diff != "" {
		t.Errorf("admissionReviewVersions (-want +got):\n%s", diff)
	}
	sel := webhookW.NamespaceSelector
	if sel == nil || len(sel.MatchExpressions) != 1 || sel.MatchExpressions[0].Key != "kubernetes.io/metadata.name" || sel.MatchExpressions[0].Operator != "NotIn" {
		t.Fatalf("namespaceSelector %+v, want one kubernetes.io/metadata.name NotIn", sel)
	}
	for _, must := range []string{"kube-system", Namespace, "cert-manager"} {
		if !slices.Contains(sel.MatchExpressions[0].Values, must) {
			t.Errorf("namespaceSelector does not exclude %s: %v", must, sel.MatchExpressions[0].Values)
		}
	}
	user := "system:serviceaccount:" + deploy.Namespace + ":" + deploy.Spec.Template.Spec.ServiceAccountName
	if len(webhookW.MatchConditions) != 1 || webhookW.MatchConditions[0].Expression != "request.userInfo.username != '"+user+"'" {
		t.Errorf("matchConditions %+v, want one skipping %s", webhookW.MatchConditions, user)
	}

	// Webhook configuration -> Service -> pods.
	ref := webhookW.ClientConfig.Service
	if ref == nil || ref.Name != svc.Name || ref.Namespace != svc.Namespace || ref.Path == nil || *ref.Path != serving.Path {
		t.Fatalf("clientConfig.service %+v, want %s/%s path %s", ref, svc.Namespace, svc.Name, serving.Path)
	}
	if len(svc.Spec.Ports) != 1 || ref.Port == nil || svc.Spec.Ports[0].Port != *ref.Port {
		t.Errorf("service ports %+v do not serve the webhook's port %v", svc.Spec.Ports, ref.Port)
	}
	if diff := cmp.Diff(deploy.Spec.Selector.MatchLabels, svc.Spec.Selector); diff != "" {
		t.Errorf("service selector is not the deployment's (-deployment +service):\n%s", diff)
	}
	if len(deploy.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(deploy.Spec.Template.Spec.Containers))
	}
	c := deploy.Spec.Template.Spec.Containers[0]
	args := flags(c.Args)
	if port := port(c, svc.Spec.Ports[0].TargetPort.StrVal); port == 0 || strconv.Itoa(int(port)) != args["port"] {
		t.Errorf("service targets port %q (%d), serve listens on --port=%s", svc.Spec.Ports[0].TargetPort.StrVal, port, args["port"])
	}

	// The answer comes before the API server stops waiting.
	budget, err := time.ParseDuration(args["budget"])
	if err != nil {
		t.Fatalf("--budget: %v", err)
	}
	if timeout := time.Duration(*webhookW.TimeoutSeconds) * time.Second; budget >= timeout {
		t.Errorf("--budget=%s is not under timeoutSeconds %s", budget, timeout)
	}

	// Probes on --health-addr; ready only once serving.
	health := port(c, "health")
	if args["health-addr"] != ":"+strconv.Itoa(int(health)) {
		t.Errorf("--health-addr=%s, health port %d", args["health-addr"], health)
	}
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" || p.HTTPGet.Port.StrVal != "health" {
		t.Errorf("readinessProbe %+v, want GET /readyz on health", p)
	}
	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Port.StrVal != "health" {
		t.Errorf("livenessProbe %+v, want GET /healthz on health", p)
	}

	// The serving certificate: named by the annotation, valid for the
	// Service, mounted at --cert-dir, issued by the install's CA.
	inject := vwc.Annotations["cert-manager.io/inject-ca-from"]
	if inject != Namespace+"/"+ServingCertificate {
		t.Errorf("inject-ca-from %q, want %s/%s", inject, Namespace, ServingCertificate)
	}
	servingCert, ok := certs[ServingCertificate]
	if !ok {
		t.Fatalf("no Certificate %s", ServingCertificate)
	}
	for _, dns := range []string{svc.Name + "." + svc.Namespace + ".svc", svc.Name + "." + svc.Namespace + ".svc.cluster.local"} {
		if !slices.Contains(servingCert.Spec.DNSNames, dns) {
			t.Errorf("serving certificate's dnsNames %v lack %s", servingCert.Spec.DNSNames, dns)
		}
	}
	mounted := false
	for _, m := range c.VolumeMounts {
		for _, v := range deploy.Spec.Template.Spec.Volumes {
			if v.Name == m.Name && v.Secret != nil && v.Secret.SecretName == servingCert.Spec.SecretName && m.MountPath == args["cert-dir"] {
				mounted = true
			}
		}
	}
	if !mounted {
		t.Errorf("secret %s is not mounted at --cert-dir=%s", servingCert.Spec.SecretName, args["cert-dir"])
	}
	for name, cert := range certs {
		issuer, ok := issuers[cert.Spec.IssuerRef.Name]
		if !ok || cert.Spec.IssuerRef.Kind != "Issuer" {
			t.Errorf("certificate %s: issuer %+v is not one of the install's", name, cert.Spec.IssuerRef)
			continue
		}
		if issuer.Spec.CA != nil {
			ca, ok := certs[secretOwner(certs, issuer.Spec.CA.SecretName)]
			if !ok || !ca.Spec.IsCA {
				t.Errorf("issuer %s: secret %s is not an install CA certificate's", issuer.Name, issuer.Spec.CA.SecretName)
			}
		}
	}
	if issuers[servingCert.Spec.IssuerRef.Name].Spec.CA == nil {
		t.Errorf("serving certificate is issued by %s, want the install's CA issuer", servingCert.Spec.IssuerRef.Name)
	}

	// The pods: spread, non-root, read-only, no capabilities.
	pod := deploy.Spec.Template.Spec
	if deploy.Spec.Replicas == nil || *deploy.Spec.Replicas < 3 {
		t.Errorf("replicas %v, want at least 3", deploy.Spec.Replicas)
	}
	if len(pod.TopologySpreadConstraints) == 0 || pod.TopologySpreadConstraints[0].TopologyKey != "kubernetes.io/hostname" {
		t.Errorf("topologySpreadConstraints %+v, want spread over kubernetes.io/hostname", pod.TopologySpreadConstraints)
	}
	psc, sc := pod.SecurityContext, c.SecurityContext
	switch {
	case psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot:
		t.Errorf("pod securityContext %+v: want runAsNonRoot", psc)
	case psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
		t.Errorf("pod securityContext %+v: want seccompProfile RuntimeDefault", psc)
	case sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !cmp.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}):
		t.Errorf("container securityContext %+v: want read-only root, no privilege escalation, capabilities drop ALL", sc)
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			t.Errorf("no %s request", r)
		}
		if _, ok := c.Resources.Limits[r]; !ok {
			t.Errorf("no %s limit", r)
		}
	}
	if ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("namespace labels %v: want pod-security.kubernetes.io/enforce: restricted", ns.Labels)
	}

	// RBAC: read only, bound to the pods' service account.
	for _, r := range role.Rules {
		for _, v := range r.Verbs {
			if v != "get" && v != "list" && v != "watch" {
				t.Errorf("ClusterRole grants %q on %v; the webhook only reads", v, r.Resources)
			}
		}
	}
	if diff := cmp.Diff(readByTheChecks(), granted(role)); diff != "" {
		t.Errorf("the ClusterRole does not grant what the checks read (judge.Checks' Resources, and what lookups and modes read besides) (-read +granted):\n%s", diff)
	}
	if len(binding.Subjects) != 1 || binding.Subjects[0].Kind != "ServiceAccount" ||
		binding.Subjects[0].Namespace+":"+binding.Subjects[0].Name != deploy.Namespace+":"+pod.ServiceAccountName {
		t.Errorf("ClusterRoleBinding subjects %+v, want the pods' service account", binding.Subjects)
	}
}

// secretOwner returns the name of the Certificate that writes secret.
func secretOwner(certs map[string]cmapi.Certificate, secret string) string {
	for name, c := range certs {
		if c.Spec.SecretName == secret {
			return name
		}
	}
	return ""
}

// The chart renders the same objects as the kustomize base and overlays.
func TestChartMatchesKustomize(t *testing.T) {
	for name, o := range overlays {
		t.Run(name, func(t *testing.T) {
			want := normalize(t, kustomize(t, o.dir))
			// Helm creates the release's namespace (helm install
			// --create-namespace), so the chart has no Namespace object.
			delete(want, "Namespace//"+Namespace)
			got := normalize(t, helmTemplate(t, o.chartValues, Namespace))
			if diff := cmp.Diff(want.keys(), got.keys()); diff != "" {
				t.Fatalf("objects differ (-kustomize +chart):\n%s", diff)
			}
			for k, w := range want {
				if diff := cmp.Diff(w.Object, got[k].Object); diff != "" {
					t.Errorf("%s differs (-kustomize +chart):\n%s", k, diff)
				}
			}
		})
	}
}

func TestChartValues(t *testing.T) {
	const values = `
replicas: 5
image: {repository: registry.example/admissible, tag: v1.2.3}
failurePolicy: Fail
timeoutSeconds: 5
excludedNamespaces: [kube-system, cert-manager, rook-ceph]
mirrors:
  docker.io:
    endpoints: [https://harbor.example/v2/docker.io]
    overridePath: true
config:
  modes: {images: warn, podTemplates: enforce}
  registries: {deny: ["*.untrusted.example"]}
resources:
  requests: {cpu: 10m, memory: 32Mi}
  limits: {cpu: "1", memory: 128Mi}
`
	objs := helmTemplate(t, values, "guard")
	var (
		vwc    admissionregistrationv1.ValidatingWebhookConfiguration
		deploy appsv1.Deployment
		cm     corev1.ConfigMap
		cert   cmapi.Certificate
	)
	typed(t, objs["ValidatingWebhookConfiguration//admissible"], &vwc)
	typed(t, objs["Deployment/guard/admissible"], &deploy)
	typed(t, objs["ConfigMap/guard/admissible-config"], &cm)
	typed(t, objs["Certificate/guard/admissible-serving"], &cert)

	w := vwc.Webhooks[0]
	c := deploy.Spec.Template.Spec.Containers[0]
	for name, tc := range map[string]struct{ got, want any }{
		"replicas":          {*deploy.Spec.Replicas, int32(5)},
		"image":             {c.Image, "registry.example/admissible:v1.2.3"},
		"failurePolicy":     {*w.FailurePolicy, admissionregistrationv1.Fail},
		"timeoutSeconds":    {*w.TimeoutSeconds, int32(5)},
		"budget":            {flags(c.Args)["budget"], "3s"},
		"excluded":          {w.NamespaceSelector.MatchExpressions[0].Values, []string{"kube-system", "cert-manager", "rook-ceph", "guard"}},
		"matchCondition":    {w.MatchConditions[0].Expression, "request.userInfo.username != 'system:serviceaccount:guard:admissible'"},
		"service namespace": {w.ClientConfig.Service.Namespace, "guard"},
		"inject-ca-from":    {vwc.Annotations["cert-manager.io/inject-ca-from"], "guard/admissible-serving"},
		"dnsNames":          {cert.Spec.DNSNames, []string{"admissible.guard.svc", "admissible.guard.svc.cluster.local"}},
		"memory limit":      {c.Resources.Limits.Memory().String(), "128Mi"},
		"cpu request":       {c.Resources.Requests.Cpu().String(), "10m"},
		"rules":             {w.Rules, serving.Registration{}.Configuration(kinds.Builtin()).Webhooks[0].Rules},
	} {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}

	// The config file is one serve accepts: strict, with the mirrors and
	// the rest of the config given.
	var config struct {
		Mirrors       mirrors.Config    `json:"mirrors"`
		FailurePolicy string            `json:"failurePolicy"`
		Modes         map[string]string `json:"modes"`
		Registries    struct {
			Deny []string `json:"deny"`
		} `json:"registries"`
	}
	if err := yaml.UnmarshalStrict([]byte(cm.Data["config.yaml"]), &config); err != nil {
		t.Fatalf("config.yaml: %v\n%s", err, cm.Data["config.yaml"])
	}
	want := mirrors.Config{"docker.io": {Endpoints: []string{"https://harbor.example/v2/docker.io"}, OverridePath: true}}
	if diff := cmp.Diff(want, config.Mirrors); diff != "" {
		t.Errorf("mirrors (-want +got):\n%s", diff)
	}
	if config.FailurePolicy != "Fail" {
		t.Errorf("config failurePolicy %q, want the webhook's, Fail", config.FailurePolicy)
	}
	if diff := cmp.Diff(map[string]string{"images": "warn", "podTemplates": "enforce"}, config.Modes); diff != "" {
		t.Errorf("modes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"*.untrusted.example"}, config.Registries.Deny); diff != "" {
		t.Errorf("registries.deny (-want +got):\n%s", diff)
	}
}

func TestChartRefusesBadValues(t *testing.T) {
	for name, values := range map[string]string{
		"failure policy": "failurePolicy: Sometimes",
		"timeout":        "timeoutSeconds: 60",
		"replicas":       "replicas: 0",
		"unknown value":  "replica: 3",
		"config typo":    "config: {mode: {images: warn}}",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := RenderChart("chart", values, Namespace); err == nil {
				t.Errorf("values %q rendered; want a schema error", values)
			}
		})
	}
}

// flags maps "--name=value" arguments by name.
func flags(args []string) map[string]string {
	out := map[string]string{}
	for _, a := range args {
		if name, value, ok := strings.Cut(strings.TrimPrefix(a, "--"), "="); ok && strings.HasPrefix(a, "--") {
			out[name] = value
		}
	}
	return out
}

// port returns the container port of that name, or 0.
func port(c corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

// The install overlay manifests/README.md shows: the image and the mirrors
// replaced, the rest of the install intact.
func TestDocumentedOverlay(t *testing.T) {
	objs := kustomize(t, "../test/testdata/install-overlay")
	checkCoherent(t, objs)
	var deploy appsv1.Deployment
	typed(t, objs.get(t, "Deployment", Name), &deploy)
	if got, want := deploy.Spec.Template.Spec.Containers[0].Image, "registry.example/admissible:v0.1.0"; got != want {
		t.Errorf("image %s, want %s", got, want)
	}
	var configMap string
	for _, v := range deploy.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil {
			configMap = v.ConfigMap.Name
		}
	}
	var cm corev1.ConfigMap
	typed(t, objs.get(t, "ConfigMap", configMap), &cm)
	var config struct {
		Mirrors mirrors.Config `json:"mirrors"`
	}
	if err := yaml.UnmarshalStrict([]byte(cm.Data["config.yaml"]), &config); err != nil {
		t.Fatal(err)
	}
	if _, ok := config.Mirrors["docker.io"]; !ok {
		t.Errorf("the pods mount ConfigMap %s, without the overlay's mirrors:\n%s", configMap, cm.Data["config.yaml"])
	}
}

// The helm test hook runs admissible verify under a service account of its
// own (the webhook's is excluded from judgment: the canary would pass
// unjudged), with exactly the reads and the dry-run create verify needs.
func TestChartTestHook(t *testing.T) {
	out, err := RenderChartTests("chart", "tests: {canaryNamespace: canaries}\n", Namespace)
	if err != nil {
		t.Fatal(err)
	}
	objs := parse(t, "chart tests", out)
	var pod corev1.Pod
	typed(t, objs.get(t, "Pod", "admissible-verify"), &pod)
	if got := pod.Spec.ServiceAccountName; got == "" || got == Name {
		t.Errorf("the test pod runs as service account %q; want one of its own", got)
	}
	objs.get(t, "ServiceAccount", pod.Spec.ServiceAccountName)
	if diff := cmp.Diff([]string{"verify", "--namespace=canaries"}, pod.Spec.Containers[0].Args); diff != "" {
		t.Errorf("test pod args (-want +got):\n%s", diff)
	}
	if pod.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %s, want Never", pod.Spec.RestartPolicy)
	}

	// Every rule granted to the test's service account, as "namespace verb group/resource[/name]".
	subject := rbacv1.Subject{Kind: "ServiceAccount", Name: pod.Spec.ServiceAccountName, Namespace: Namespace}
	var granted []string
	for _, k := range objs.keys() {
		o := objs[k]
		if o.GetKind() != "RoleBinding" && o.GetKind() != "ClusterRoleBinding" {
			continue
		}
		var b rbacv1.RoleBinding
		typed(t, o, &b)
		if !slices.Contains(b.Subjects, subject) {
			continue
		}
		roleNamespace := b.Namespace // a ClusterRoleBinding's is ""
		if b.RoleRef.Kind == "ClusterRole" {
			roleNamespace = ""
		}
		ro, ok := objs[b.RoleRef.Kind+"/"+roleNamespace+"/"+b.RoleRef.Name]
		if !ok {
			t.Fatalf("%s: no %s %s among %v", key(o), b.RoleRef.Kind, b.RoleRef.Name, objs.keys())
		}
		var role rbacv1.ClusterRole
		typed(t, ro, &role)
		for _, r := range role.Rules {
			for _, g := range r.APIGroups {
				for _, res := range r.Resources {
					for _, v := range r.Verbs {
						names := r.ResourceNames
						if len(names) == 0 {
							names = []string{""}
						}
						for _, n := range names {
							granted = append(granted, strings.TrimSuffix(fmt.Sprintf("%s %s %s/%s/%s", b.Namespace, v, g, res, n), "/"))
						}
					}
				}
			}
		}
	}
	slices.Sort(granted)
	want := []string{
		" get /namespaces/canaries",
		" get admissionregistration.k8s.io/validatingwebhookconfigurations/" + Name,
		"admissible get /services/" + Name,
		"admissible list discovery.k8s.io/endpointslices",
		"canaries create /podtemplates",
	}
	if diff := cmp.Diff(want, granted); diff != "" {
		t.Errorf("rules granted to the test (-want +got):\n%s", diff)
	}
}

// readBesidesTheChecks are the resources read by something else than a
// check: namespaces' labels set the modes; on OpenShift, lookups walk as
// the nodes pull from its mirror sets and image configuration.
var readBesidesTheChecks = []string{
	"namespaces",
	"imagedigestmirrorsets.config.openshift.io", "imagetagmirrorsets.config.openshift.io",
	"images.config.openshift.io", "imagecontentsourcepolicies.operator.openshift.io",
}

// readByTheChecks is every resource the checks and the rest read, as
// kubectl names them, sorted.
func readByTheChecks() []string {
	set := map[string]bool{}
	for _, c := range judge.Checks {
		for _, r := range c.Resources {
			set[r] = true
		}
	}
	for _, r := range readBesidesTheChecks {
		set[r] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// granted is every resource role grants, as kubectl names them, sorted.
func granted(role rbacv1.ClusterRole) []string {
	set := map[string]bool{}
	for _, rule := range role.Rules {
		for _, g := range rule.APIGroups {
			for _, r := range rule.Resources {
				if g != "" {
					r += "." + g
				}
				set[r] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}
