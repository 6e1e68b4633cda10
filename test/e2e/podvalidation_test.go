//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/test/podcases"
	"github.com/admissible/admissible/webhook/cluster"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/admissionchain"
	"github.com/admissible/admissible/webhook/judge/controllerpod"
	"github.com/admissible/admissible/webhook/judge/podadmission"
	"github.com/admissible/admissible/webhook/judge/podcreate"
)

// Namespaces of the pod validation differential: the oracle's pods are
// created (dry run) where the webhook judges nothing, the StatefulSets are
// applied where it judges pod templates (images are not looked up).
const (
	oracleNamespace   = "podcases-oracle"
	podcasesNamespace = "podcases"
)

// oracleVerdict is what the API server answered a dry-run create of the pod
// the statefulset controller would create.
type oracleVerdict struct {
	refused bool
	// causes are "field: message" for an Invalid answer.
	causes  []string
	message string
}

// knownDisagreements are cases where the engine, without the cluster's
// state, cannot know what pod admission will do; each names why.
var knownDisagreements = map[string]string{
	"serviceAccountName and deprecated serviceAccount differ": "the pods name a ServiceAccount that does not exist: the webhook warns (it is often applied after the workload, and the controller retries until it exists); the API server forbids each pod until then",
}

// TestPodValidationDifferential judges every case of package podcases twice:
// the real API server creates (dry run) the pod the statefulset controller
// would create, and the engine judges the StatefulSet, emulating the
// server's version. They must agree on every case. Then every StatefulSet is
// applied with kubectl through the webhook: refused exactly when the pod is.
func TestPodValidationDifferential(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cfg, err := clientcmd.BuildConfigFromFlags("", env.cp.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 500, 1000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for ns, labels := range map[string]map[string]string{
		oracleNamespace:   {judge.Images.Label(): "off", judge.PodTemplates.Label(): "off", judge.PodAdmission.Label(): "off"},
		podcasesNamespace: {judge.Images.Label(): "off"},
	} {
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		// No controller-manager here: the default service account pod
		// admission looks for is created by hand.
		if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	if err := podcreate.EmulateVersion(env.cp.Version); err != nil {
		t.Fatal(err)
	}
	reader, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	admission, err := podadmission.New(cluster.NewObjects(reader, nil), podadmission.PodSecurity{}, env.cp.Minor)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := admissionchain.New(ctx, admissionchain.Cluster{
		Informers:  informers.NewSharedInformerFactory(cs, 0),
		Client:     cs,
		Dynamic:    dynamic.NewForConfigOrDie(cfg),
		RESTMapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cs.Discovery())),
	}, admissionchain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// Every image exists: images are not the subject here.
	found := resolverstest.Fixed(resolvers.Result{Verdict: resolvers.Found})
	engine := judge.NewEngine(found, judge.WithModes(judge.Modes{judge.Images.Name: judge.Off}), judge.WithPodAdmission(admission), judge.WithAdmissionChain(chain))

	cases := podcases.Cases(podcasesNamespace)
	oracle := make([]oracleVerdict, len(cases))
	objects := make([]*unstructured.Unstructured, len(cases))
	for i, c := range cases {
		raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(c.Set)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		objects[i] = &unstructured.Unstructured{Object: raw}
	}
	parallel(len(cases), 8, func(i int) {
		oracle[i] = askOracle(ctx, cs, objects[i])
	})

	var invalid, valid, caught, falseRefusals, sameWording, kubectlAgree int
	var disagreements []string
	engineRefused := make([]bool, len(cases))
	for i, c := range cases {
		v := engine.Judge(ctx, judge.Request{Object: objects[i]})
		engineRefused[i] = !v.Allowed()
		if oracle[i].refused {
			invalid++
		} else {
			valid++
		}
		switch {
		case oracle[i].refused && engineRefused[i]:
			caught++
		case !oracle[i].refused && engineRefused[i]:
			falseRefusals++
		}
		if oracle[i].refused != engineRefused[i] {
			if why, ok := knownDisagreements[c.Name]; ok {
				t.Logf("known disagreement %q: %s", c.Name, why)
				continue
			}
			disagreements = append(disagreements, fmt.Sprintf("%s: API server refused=%v (%s); engine refused=%v (%s)",
				c.Name, oracle[i].refused, oracle[i].message, engineRefused[i], v.Problems()))
		}
		if oracle[i].refused && len(oracle[i].causes) > 0 && sameCauses(oracle[i].causes, objects[i]) {
			sameWording++
		}
	}

	// The same StatefulSets through kubectl and the webhook.
	dir := t.TempDir()
	applied := make([]harnessVerdict, len(cases))
	parallel(len(cases), 4, func(i int) {
		data, err := yaml.Marshal(objects[i].Object)
		if err != nil {
			applied[i] = harnessVerdict{err: err}
			return
		}
		file := filepath.Join(dir, fmt.Sprintf("%d.yaml", i))
		if err := os.WriteFile(file, data, 0o600); err != nil {
			applied[i] = harnessVerdict{err: err}
			return
		}
		r := env.cp.Kubectl(ctx, "", "apply", "--dry-run=server", "-f", file)
		applied[i] = harnessVerdict{refused: r.ExitCode != 0, output: r.Output(), byWebhook: strings.Contains(r.Output(), webhookPrefix)}
	})
	var byWebhook, byServer int
	for i, c := range cases {
		a := applied[i]
		if a.err != nil {
			t.Fatalf("%s: %v", c.Name, a.err)
		}
		if a.refused == oracle[i].refused {
			kubectlAgree++
		} else if _, ok := knownDisagreements[c.Name]; !ok {
			disagreements = append(disagreements, fmt.Sprintf("%s: kubectl apply refused=%v (%s); pod create refused=%v (%s)",
				c.Name, a.refused, strings.TrimSpace(a.output), oracle[i].refused, oracle[i].message))
		}
		if a.refused && a.byWebhook {
			byWebhook++
		} else if a.refused {
			byServer++
		}
	}
	t.Logf("kube-apiserver %s: %d cases, %d invalid at pod creation, %d valid", env.cp.Version, len(cases), invalid, valid)
	t.Logf("engine: caught %d/%d invalid, false refusals %d/%d valid; API server's own wording and paths on %d/%d", caught, invalid, falseRefusals, valid, sameWording, invalid)
	t.Logf("kubectl apply through the webhook: %d/%d agree with pod creation; refused by the webhook %d, by the API server itself %d", kubectlAgree, len(cases), byWebhook, byServer)
	if invalid < 300 || valid < 60 {
		t.Errorf("the corpus has %d invalid and %d valid cases on this server, want at least 300 and 60", invalid, valid)
	}
	sort.Strings(disagreements)
	for _, d := range disagreements {
		t.Error(d)
	}
}

type harnessVerdict struct {
	refused, byWebhook bool
	output             string
	err                error
}

// askOracle creates, with a server-side dry run, the pod the statefulset
// controller would create from obj.
func askOracle(ctx context.Context, cs kubernetes.Interface, obj *unstructured.Unstructured) oracleVerdict {
	pod := controllerPod(obj)
	pod.Namespace = oracleNamespace
	return createPod(ctx, cs, pod)
}

// controllerPod is the pod the statefulset controller creates from obj.
func controllerPod(obj *unstructured.Unstructured) *corev1.Pod {
	var t controllerpod.Template
	tpl, _, _ := unstructured.NestedMap(obj.Object, "spec", "template")
	var pts corev1.PodTemplateSpec
	_ = runtime.DefaultUnstructuredConverter.FromUnstructured(tpl, &pts)
	t.Spec, t.Meta = pts.Spec, pts.ObjectMeta
	t.SpecPath, t.MetaPath = field.NewPath("spec", "template", "spec"), field.NewPath("spec", "template", "metadata")
	pod, _ := controllerpod.Build(obj, t)
	return pod
}

// sameCauses reports whether the library, on the same pod, words every
// problem as the API server did (field and message).
func sameCauses(causes []string, obj *unstructured.Unstructured) bool {
	pod := controllerPod(obj)
	pod.Namespace = oracleNamespace
	var ours []string
	for _, e := range podcreate.Validate(pod) {
		ours = append(ours, e.Error())
	}
	sort.Strings(ours)
	theirs := append([]string(nil), causes...)
	sort.Strings(theirs)
	return strings.Join(ours, "\n") == strings.Join(theirs, "\n")
}

// parallel runs f(0..n-1), at most width at once.
func parallel(n, width int, f func(i int)) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, width)
	for i := 0; i < n; i++ {
		wg.Add(1)
		slots <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-slots }()
			f(i)
		}(i)
	}
	wg.Wait()
}
