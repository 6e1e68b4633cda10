//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/admissible/admissible/test/corpus"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/controllerpod"
)

// Namespaces of the real-world corpus differential: the oracle's pods are
// created (dry run) in the oracle's own control plane; the workloads are
// judged where only the images check is off (no registry holds the corpus's
// images here).
const (
	corpusOracleNamespace = "corpus-oracle"
	corpusNamespace       = "corpus"
)

// knownCorpusDifferences are corpus workloads, by corpus.Workload.ID, whose
// pod the API server refuses while the webhook admits the workload, each
// with the reason the webhook cannot know. A false refusal is never listed
// here: it always fails the test.
var knownCorpusDifferences = map[string]string{}

// knownWordingDifferences are corpus workloads that both refuse, where the
// webhook's words are another stage's of the same API server, by ID, each
// with why.
var knownWordingDifferences = map[string]string{
	"gke-samples/demos/vit-training-example/yamls/spec-gcs.yaml#0 StatefulSet/tensorflow": "serviceAccountName \"<GCSFUSE_KSA>\" is not a valid name: v1.37 refuses the StatefulSet with the validation message the webhook gives; v1.33 stores it and its ServiceAccount plugin, which runs before validation, fails to find the account. The chain gives a missing account a stand-in (a missing account is a warning: it is often applied after the workload), so the webhook reports the validation message on both",
}

// corpusResources are the resources of the workload kinds, by the version
// the API server serves.
var corpusResources = map[schema.GroupVersionKind]string{
	{Version: "v1", Kind: "Pod"}:                        "pods",
	{Version: "v1", Kind: "ReplicationController"}:      "replicationcontrollers",
	{Group: "apps", Version: "v1", Kind: "Deployment"}:  "deployments",
	{Group: "apps", Version: "v1", Kind: "StatefulSet"}: "statefulsets",
	{Group: "apps", Version: "v1", Kind: "DaemonSet"}:   "daemonsets",
	{Group: "apps", Version: "v1", Kind: "ReplicaSet"}:  "replicasets",
	{Group: "batch", Version: "v1", Kind: "Job"}:        "jobs",
	{Group: "batch", Version: "v1", Kind: "CronJob"}:    "cronjobs",
}

// corpusCase is one served workload of the corpus and what each side said.
type corpusCase struct {
	w corpus.Workload
	// obj is the workload as judged: in corpusNamespace.
	obj *unstructured.Unstructured
	// pod is the pod its controller creates (the Pod itself for a Pod), in
	// corpusOracleNamespace; nil when the template does not decode (err).
	pod *corev1.Pod
	err error
	// oracle is the API server's answer to a dry-run create of pod.
	oracle oracleVerdict
	// review is the webhook's own answer to the workload's CREATE.
	review reviewVerdict
	// applied is the API server's answer to a dry-run create of the
	// workload, through the webhook.
	applied appliedVerdict
}

// reviewVerdict is the webhook's answer to an AdmissionReview.
type reviewVerdict struct {
	refused  bool
	message  string
	causes   []metav1.StatusCause
	warnings []string
	err      error
}

// appliedVerdict is the API server's answer to a dry-run create of a
// workload.
type appliedVerdict struct {
	refused, byWebhook bool
	message            string
}

// Outcomes of one workload.
const (
	outcomeBothAdmit     = "both admit"
	outcomeBothRefuse    = "both refuse"
	outcomeFalseRefusal  = "FALSE REFUSAL"
	outcomeMiss          = "MISS"
	outcomeKnownMiss     = "known difference"
	outcomeUndecodable   = "template does not decode"
	outcomeReviewFailure = "webhook did not answer"
)

// TestRealWorldCorpus judges every workload of the real-world corpus
// (test/corpus: rendered installs, examples and sidecar-injected test
// outputs of public projects) twice. The oracle is the suite's real API
// server, configured as clusters are (the ServiceAccount admission plugin on,
// privileged containers allowed): it creates, with a server-side dry run, the pod
// the workload's controller would create (controllerpod.Build; a Pod
// document is its own pod), in a namespace the webhook does not judge that holds the ServiceAccounts,
// PriorityClasses and RuntimeClasses the pod names, so that only real
// pod-creation failures remain. The webhook judges the workload's CREATE
// (a dry run, as kubectl apply --dry-run=server sends it). Every refusal
// the webhook gives the API server must give too (a false refusal fails
// the test), in the API server's own words; every pod the API server
// refuses the webhook must refuse (a miss fails the test unless listed in
// knownCorpusDifferences). Each workload is also created (dry run) through
// the suite's API server, which must call the webhook and get the same
// verdict, unless it refuses the workload itself first. go test -v prints
// the table by project.
func TestRealWorldCorpus(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	workloads, err := corpus.Load(corpus.Dir())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", env.cp.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 500, 1000
	cfg.WarningHandler = rest.NoWarnings{}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	review, err := newReviewer()
	if err != nil {
		t.Fatal(err)
	}
	oracleCfg := rest.CopyConfig(cfg)
	oracleCfg.QPS, oracleCfg.Burst = 500, 1000
	oracleCfg.WarningHandler = rest.NoWarnings{}
	ocs, err := kubernetes.NewForConfig(oracleCfg)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ocs.Discovery().ServerVersion(); err != nil || v.GitVersion != env.cp.Version {
		t.Fatalf("oracle kube-apiserver %v (%v), want the suite's %s", v, err, env.cp.Version)
	}

	var cases []*corpusCase
	skipped := map[string]int{}
	for _, w := range workloads {
		if !w.Served() {
			skipped[w.Project()]++
			t.Logf("skipped, %s not served: %s", w.Object.GetAPIVersion(), w.ID())
			continue
		}
		c := &corpusCase{w: w, obj: w.Object.DeepCopy()}
		c.obj.SetNamespace(corpusNamespace)
		c.pod, c.err = corpusPod(w.Object)
		if c.pod != nil {
			c.pod.Namespace = corpusOracleNamespace
		}
		cases = append(cases, c)
	}
	needs := needsOf(cases)
	off := map[string]string{judge.Images.Label(): "off", judge.PodTemplates.Label(): "off", judge.PodAdmission.Label(): "off", judge.RegistryCircle.Label(): "off"}
	if err := needs.create(ctx, t, ocs, corpusOracleNamespace, off); err != nil {
		t.Fatal(err)
	}
	if err := needs.create(ctx, t, cs, corpusNamespace, map[string]string{judge.Images.Label(): "off"}); err != nil {
		t.Fatal(err)
	}
	// The oracle mutates pods as clusters do.
	if sa := defaultedServiceAccount(ctx, ocs, corpusOracleNamespace); sa != "default" {
		t.Fatalf("the oracle API server set serviceAccountName %q on a pod without one, want \"default\": its ServiceAccount admission plugin is off", sa)
	}

	parallel(len(cases), 4, func(i int) {
		c := cases[i]
		if c.pod != nil {
			c.oracle = createPod(ctx, ocs, c.pod)
		}
		c.review = review.judge(ctx, c.obj)
		c.applied = applyWorkload(ctx, dyn, c.obj)
	})

	type row struct {
		workloads, skipped                                  int
		bothAdmit, bothRefuse, falseRefusals, misses, known int
		undecodable, failures                               int
		serverRefusesWorkload                               int
	}
	rows := map[string]*row{}
	rowOf := func(p string) *row {
		if rows[p] == nil {
			rows[p] = &row{}
		}
		return rows[p]
	}
	for p, n := range skipped {
		rowOf(p).skipped = n
		rowOf(p).workloads += n
	}
	var falseRefusals, misses, wording, consistency, failures []string
	var sameWording, webhookRefusals int
	for _, c := range cases {
		r := rowOf(c.w.Project())
		r.workloads++
		if c.applied.refused && !c.applied.byWebhook {
			r.serverRefusesWorkload++
			t.Logf("the API server refuses the workload itself (the webhook is not asked): %s: %s", c.w.ID(), oneLineMessage(c.applied.message))
		}
		switch outcome := classify(c); outcome {
		case outcomeBothAdmit:
			r.bothAdmit++
		case outcomeBothRefuse:
			r.bothRefuse++
			t.Logf("both refuse %s: the API server: %s; we: %s", c.w.ID(), oneLineMessage(c.oracle.message), oneLineMessage(c.review.message))
		case outcomeFalseRefusal:
			r.falseRefusals++
			falseRefusals = append(falseRefusals, fmt.Sprintf("%s (%s at %s)\n    we refuse: %s\n    the API server creates its pod",
				c.w.ID(), c.w.Source.Repo, c.w.Source.Commit[:12], oneLineMessage(c.review.message)))
		case outcomeMiss:
			r.misses++
			misses = append(misses, fmt.Sprintf("%s (%s at %s)\n    the API server refuses its pod: %s\n    we admit it",
				c.w.ID(), c.w.Source.Repo, c.w.Source.Commit[:12], oneLineMessage(c.oracle.message)))
		case outcomeKnownMiss:
			r.known++
			t.Logf("known difference %s: %s", c.w.ID(), knownCorpusDifferences[c.w.ID()])
		case outcomeUndecodable:
			r.undecodable++
			t.Logf("%s: %v; the webhook refused=%v, the API server refused the workload=%v", c.w.ID(), c.err, c.review.refused, c.applied.refused)
		case outcomeReviewFailure:
			r.failures++
			failures = append(failures, fmt.Sprintf("%s: %v", c.w.ID(), c.review.err))
		}
		if c.review.err != nil || c.pod == nil {
			continue
		}
		if c.review.refused {
			webhookRefusals++
			if c.oracle.refused {
				if d := wordingDiffers(c); d != "" && knownWordingDifferences[c.w.ID()] == "" {
					wording = append(wording, fmt.Sprintf("%s: %s", c.w.ID(), d))
				} else {
					sameWording++
				}
			}
		}
		// Through the API server: the webhook refuses there exactly what
		// it refuses when asked directly (unless the API server refuses
		// the workload first, without asking it).
		if c.applied.byWebhook && !c.review.refused || c.review.refused && !c.applied.refused {
			consistency = append(consistency, fmt.Sprintf("%s: asked directly the webhook refused=%v (%s); through the API server: %s",
				c.w.ID(), c.review.refused, oneLineMessage(c.review.message), orAdmitted(c.applied.message)))
		}
	}

	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "project\tworkloads\tversion not served\tboth admit\tboth refuse\tFALSE REFUSALS\tMISSES\tknown differences\tundecodable\tnot judged\tworkload refused by the API server itself\t")
	var total row
	projects := make([]string, 0, len(rows))
	for p := range rows {
		projects = append(projects, p)
	}
	sort.Strings(projects)
	for _, p := range projects {
		r := rows[p]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", p, r.workloads, r.skipped, r.bothAdmit, r.bothRefuse,
			r.falseRefusals, r.misses, r.known, r.undecodable, r.failures, r.serverRefusesWorkload)
		total.workloads += r.workloads
		total.skipped += r.skipped
		total.bothAdmit += r.bothAdmit
		total.bothRefuse += r.bothRefuse
		total.falseRefusals += r.falseRefusals
		total.misses += r.misses
		total.known += r.known
		total.undecodable += r.undecodable
		total.failures += r.failures
		total.serverRefusesWorkload += r.serverRefusesWorkload
	}
	fmt.Fprintf(tw, "TOTAL\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", total.workloads, total.skipped, total.bothAdmit, total.bothRefuse,
		total.falseRefusals, total.misses, total.known, total.undecodable, total.failures, total.serverRefusesWorkload)
	_ = tw.Flush()
	t.Logf("kube-apiserver %s, real-world corpus (%d workloads; test/corpus/README.md names their sources):\n%s", env.cp.Version, len(workloads), table.String())
	t.Logf("agreements %d, false refusals %d, misses %d (known %d); the webhook refused %d workloads, %d of them with the API server's own wording",
		total.bothAdmit+total.bothRefuse, total.falseRefusals, total.misses, total.known, webhookRefusals, sameWording)

	if len(cases) < 500 {
		t.Errorf("the corpus has %d workloads of served versions, want at least 500", len(cases))
	}
	report := func(what string, lines []string) {
		if len(lines) == 0 {
			return
		}
		sort.Strings(lines)
		t.Errorf("%d %s:\n  %s", len(lines), what, strings.Join(lines, "\n  "))
	}
	report("false refusals (the webhook refuses a workload whose pod the API server creates)", falseRefusals)
	report("misses (the API server refuses the pod, the webhook admits the workload; not in knownCorpusDifferences)", misses)
	report("refusals not in the API server's own wording", wording)
	report("workloads on which the webhook asked directly and through the API server disagree", consistency)
	report("workloads the webhook did not judge", failures)
	for id := range knownCorpusDifferences {
		if !knownStillDiffers(cases, id) {
			t.Errorf("knownCorpusDifferences lists %s, which is no longer a miss: remove it", id)
		}
	}
}

// classify says how the webhook's verdict on c compares with the API
// server's on its pod.
func classify(c *corpusCase) string {
	switch {
	case c.review.err != nil:
		return outcomeReviewFailure
	case c.pod == nil:
		return outcomeUndecodable
	case c.review.refused && c.oracle.refused:
		return outcomeBothRefuse
	case !c.review.refused && !c.oracle.refused:
		return outcomeBothAdmit
	case c.review.refused:
		return outcomeFalseRefusal
	}
	if _, ok := knownCorpusDifferences[c.w.ID()]; ok {
		return outcomeKnownMiss
	}
	return outcomeMiss
}

func knownStillDiffers(cases []*corpusCase, id string) bool {
	for _, c := range cases {
		if c.w.ID() == id {
			return classify(c) == outcomeKnownMiss
		}
	}
	return false
}

// corpusPod is the pod the controller of obj creates: a Pod document is
// its own pod.
func corpusPod(obj *unstructured.Unstructured) (*corev1.Pod, error) {
	if obj.GetKind() == "Pod" {
		var pod corev1.Pod
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &pod); err != nil {
			return nil, fmt.Errorf("the pod does not decode: %w", err)
		}
		pod.ResourceVersion, pod.UID = "", ""
		return &pod, nil
	}
	at := []string{"spec", "template"}
	if obj.GetKind() == "CronJob" {
		at = []string{"spec", "jobTemplate", "spec", "template"}
	}
	tpl, found, err := unstructured.NestedMap(obj.Object, at...)
	if err != nil || !found {
		return nil, fmt.Errorf("no pod template at %s", strings.Join(at, "."))
	}
	var pts corev1.PodTemplateSpec
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(tpl, &pts); err != nil {
		return nil, fmt.Errorf("the pod template does not decode: %w", err)
	}
	path := field.NewPath(at[0], at[1:]...)
	pod, _ := controllerpod.Build(obj, controllerpod.Template{
		Spec: pts.Spec, Meta: pts.ObjectMeta, SpecPath: path.Child("spec"), MetaPath: path.Child("metadata"),
	})
	return pod, nil
}

// corpusNeeds are the objects the corpus's pods name that pod admission
// looks up. ConfigMaps, Secrets and claims a pod names are not looked up at
// pod creation.
type corpusNeeds struct {
	accounts, priorities, runtimes map[string]bool
}

func needsOf(cases []*corpusCase) corpusNeeds {
	n := corpusNeeds{accounts: map[string]bool{"default": true}, priorities: map[string]bool{}, runtimes: map[string]bool{}}
	for _, c := range cases {
		if c.pod == nil {
			continue
		}
		for _, sa := range []string{c.pod.Spec.ServiceAccountName, c.pod.Spec.DeprecatedServiceAccount} {
			if sa != "" {
				n.accounts[sa] = true
			}
		}
		// The API server makes system- ones itself, and no others.
		if p := c.pod.Spec.PriorityClassName; p != "" && !strings.HasPrefix(p, "system-") {
			n.priorities[p] = true
		}
		if r := c.pod.Spec.RuntimeClassName; r != nil && *r != "" {
			n.runtimes[*r] = true
		}
	}
	return n
}

// create makes namespace ns with labels, the ServiceAccounts in it, the
// PriorityClasses and the RuntimeClasses; the cluster-scoped ones are
// deleted when the test ends.
func (n corpusNeeds) create(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns string, labels map[string]string) error {
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	check := func(what string, err error) error {
		switch {
		case err == nil, apierrors.IsAlreadyExists(err):
			return nil
		case apierrors.IsInvalid(err):
			// A name the API server refuses: pods naming it are refused
			// for it, as in any cluster.
			t.Logf("not created (%s): %v", what, err)
			return nil
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	for sa := range n.accounts {
		_, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{})
		if err := check("serviceaccount "+ns+"/"+sa, err); err != nil {
			return err
		}
	}
	for p := range n.priorities {
		_, err := cs.SchedulingV1().PriorityClasses().Create(ctx, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: p}, Value: 1000}, metav1.CreateOptions{})
		if err := check("priorityclass "+p, err); err != nil {
			return err
		}
	}
	for r := range n.runtimes {
		_, err := cs.NodeV1().RuntimeClasses().Create(ctx, &nodev1.RuntimeClass{ObjectMeta: metav1.ObjectMeta{Name: r}, Handler: runtimeHandler(r)}, metav1.CreateOptions{})
		if err := check("runtimeclass "+r, err); err != nil {
			return err
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for p := range n.priorities {
			_ = cs.SchedulingV1().PriorityClasses().Delete(ctx, p, metav1.DeleteOptions{})
		}
		for r := range n.runtimes {
			_ = cs.NodeV1().RuntimeClasses().Delete(ctx, r, metav1.DeleteOptions{})
		}
	})
	t.Logf("namespace %s: %d service accounts; priority classes %v; runtime classes %v", ns, len(n.accounts), sorted(n.priorities), sorted(n.runtimes))
	return nil
}

// defaultedServiceAccount is the serviceAccountName the API server's pod
// admission sets on a pod without one ("" without the ServiceAccount
// plugin).
func defaultedServiceAccount(ctx context.Context, cs kubernetes.Interface, ns string) string {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns, Annotations: map[string]string{judge.AnnotationSkip: "images,pod-templates,pod-admission,registry-circle"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.example/probe:1"}}},
	}
	created, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		return "error: " + err.Error()
	}
	return created.Spec.ServiceAccountName
}

var notInLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// runtimeHandler is a valid handler (a DNS label) for RuntimeClass name.
func runtimeHandler(name string) string {
	h := strings.Trim(notInLabel.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(h) > 63 {
		h = strings.TrimRight(h[:63], "-")
	}
	if h == "" {
		h = "runc"
	}
	return h
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// createPod creates pod with a server-side dry run.
func createPod(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) oracleVerdict {
	_, err := cs.CoreV1().Pods(pod.Namespace).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err == nil {
		return oracleVerdict{}
	}
	v := oracleVerdict{refused: true, message: err.Error()}
	var status apierrors.APIStatus
	if errors.As(err, &status) && status.Status().Details != nil {
		for _, c := range status.Status().Details.Causes {
			v.causes = append(v.causes, c.Field+": "+c.Message)
		}
	}
	return v
}

// applyWorkload creates obj with a server-side dry run, through the
// webhook, as kubectl apply --dry-run=server does for an object that does
// not exist yet.
func applyWorkload(ctx context.Context, dyn dynamic.Interface, obj *unstructured.Unstructured) appliedVerdict {
	gvr := schema.GroupVersionResource{Group: obj.GroupVersionKind().Group, Version: obj.GroupVersionKind().Version, Resource: corpusResources[obj.GroupVersionKind()]}
	_, err := dyn.Resource(gvr).Namespace(obj.GetNamespace()).Create(ctx, obj, metav1.CreateOptions{
		DryRun: []string{metav1.DryRunAll}, FieldValidation: metav1.FieldValidationWarn,
	})
	if err == nil {
		return appliedVerdict{}
	}
	return appliedVerdict{refused: true, byWebhook: strings.Contains(err.Error(), webhookPrefix), message: err.Error()}
}

// reviewer sends AdmissionReviews to the webhook.
type reviewer struct {
	client *http.Client
}

func newReviewer() (*reviewer, error) {
	ca, err := os.ReadFile(env.webhook.CAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("%s: no certificate", env.webhook.CAFile)
	}
	return &reviewer{client: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}}, nil
}

// judge asks the webhook about a server-side dry-run CREATE of obj, as the
// API server would.
func (r *reviewer) judge(ctx context.Context, obj *unstructured.Unstructured) reviewVerdict {
	raw, err := obj.MarshalJSON()
	if err != nil {
		return reviewVerdict{err: err}
	}
	gvk := obj.GroupVersionKind()
	dryRun := true
	gvr := metav1.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: corpusResources[gvk]}
	review := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:  types.UID(fmt.Sprintf("corpus-%d", time.Now().UnixNano())),
			Kind: metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}, Resource: gvr,
			RequestKind: &metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}, RequestResource: &gvr,
			Namespace: obj.GetNamespace(), Name: obj.GetName(),
			Operation: admissionv1.Create,
			UserInfo:  authenticationv1.UserInfo{Username: "admin", Groups: []string{"system:masters", "system:authenticated"}},
			Object:    runtime.RawExtension{Raw: raw},
			DryRun:    &dryRun,
		},
	}
	body, err := json.Marshal(review)
	if err != nil {
		return reviewVerdict{err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.webhook.URL, bytes.NewReader(body))
	if err != nil {
		return reviewVerdict{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return reviewVerdict{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return reviewVerdict{err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return reviewVerdict{err: fmt.Errorf("HTTP %d: %s", resp.StatusCode, data)}
	}
	var answer admissionv1.AdmissionReview
	if err := json.Unmarshal(data, &answer); err != nil || answer.Response == nil {
		return reviewVerdict{err: fmt.Errorf("no AdmissionReview response (%w): %s", err, data)}
	}
	v := reviewVerdict{refused: !answer.Response.Allowed, warnings: answer.Response.Warnings}
	for _, w := range v.warnings {
		if strings.Contains(w, "not judged") {
			return reviewVerdict{err: fmt.Errorf("not judged: %s", w)}
		}
	}
	if res := answer.Response.Result; res != nil {
		v.message = res.Message
		if res.Code == http.StatusTooManyRequests || res.Code >= 500 {
			return reviewVerdict{err: fmt.Errorf("code %d: %s", res.Code, res.Message)}
		}
		if res.Details != nil {
			v.causes = res.Details.Causes
		}
	}
	return v
}

// fieldTail is a field path without its first element (spec, metadata),
// for comparing a pod's field with the workload's that holds it.
func fieldTail(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[i:]
	}
	return ""
}

// wordingDiffers says how the webhook's refusal of c is not in the API
// server's own words; "" when each problem it gives the API server gives,
// with the same message, at the same field of the pod (or of the workload,
// when the API server refuses the workload itself).
func wordingDiffers(c *corpusCase) string {
	if len(c.review.causes) == 0 {
		return fmt.Sprintf("the webhook gave no causes: %q", c.review.message)
	}
	var off []string
	for _, ours := range c.review.causes {
		found := false
		for _, theirs := range c.oracle.causes {
			f, msg, _ := strings.Cut(theirs, ": ")
			if msg == ours.Message && (strings.HasSuffix(ours.Field, fieldTail(f)) || isDerived(f)) {
				found = true
				break
			}
		}
		// Pod admission refuses without causes: its message holds ours.
		if !found && len(c.oracle.causes) == 0 {
			_, detail, _ := strings.Cut(ours.Message, ": ")
			found = detail != "" && strings.Contains(c.oracle.message, detail)
		}
		// The API server refuses the workload itself for it, in the same
		// words (pod admission, which runs before validation, may word
		// the pod's refusal otherwise).
		if !found && c.applied.refused && !c.applied.byWebhook {
			found = strings.Contains(c.applied.message, ours.Field+": "+ours.Message)
		}
		if !found {
			off = append(off, fmt.Sprintf("%s: %s", ours.Field, ours.Message))
		}
	}
	if len(off) == 0 {
		return ""
	}
	return fmt.Sprintf("we say %q; the API server says %q", strings.Join(off, "; "), oneLineMessage(c.oracle.message))
}

// isDerived reports whether a pod field is one the controller derives from
// the workload elsewhere than under its template (names, hostnames, the
// volumes of a StatefulSet's claims): its path in the workload differs.
func isDerived(podField string) bool {
	for _, p := range []string{"metadata.name", "metadata.labels", "spec.hostname", "spec.subdomain", "spec.volumes"} {
		if strings.HasPrefix(podField, p) {
			return true
		}
	}
	return false
}

func oneLineMessage(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2000 {
		s = s[:2000] + "..."
	}
	return strings.ReplaceAll(s, "\n", " | ")
}

func orAdmitted(s string) string {
	if s == "" {
		return "admitted"
	}
	return "refused: " + oneLineMessage(s)
}
