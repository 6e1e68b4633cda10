package admissionchain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/admission"
	genericinitializer "k8s.io/apiserver/pkg/admission/initializer"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	apiserverinstall "k8s.io/apiserver/pkg/apis/apiserver/install"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	genericserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/util/compatibility"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/kubeapiserver/options"
	"k8s.io/kubernetes/plugin/pkg/admission/alwayspullimages"
	"k8s.io/kubernetes/plugin/pkg/admission/antiaffinity"
	"k8s.io/kubernetes/plugin/pkg/admission/defaulttolerationseconds"
	"k8s.io/kubernetes/plugin/pkg/admission/extendedresourcetoleration"
	"k8s.io/kubernetes/plugin/pkg/admission/limitranger"
	"k8s.io/kubernetes/plugin/pkg/admission/podnodeselector"
	"k8s.io/kubernetes/plugin/pkg/admission/podtolerationrestriction"
	podpriority "k8s.io/kubernetes/plugin/pkg/admission/priority"
	"k8s.io/kubernetes/plugin/pkg/admission/runtimeclass"
	"k8s.io/kubernetes/plugin/pkg/admission/serviceaccount"
)

// podCreatePlugins are the plugins of AllOrderedPlugins this chain runs: those
// that mutate or refuse a pod's creation with what the cluster holds.
var podCreatePlugins = sets.New(
	antiaffinity.PluginName,
	limitranger.PluginName,
	serviceaccount.PluginName,
	alwayspullimages.PluginName,
	podnodeselector.PluginName,
	podpriority.PluginName,
	defaulttolerationseconds.PluginName,
	podtolerationrestriction.PluginName,
	extendedresourcetoleration.PluginName,
	runtimeclass.PluginName,
	validating.PluginName,
)

// Config is how the cluster's API server runs its admission plugins.
type Config struct {
	// Enable are plugins kube-apiserver --enable-admission-plugins turns on
	// besides its defaults (PodNodeSelector, PodTolerationRestriction,
	// AlwaysPullImages, ...).
	Enable []string
	// Disable are plugins --disable-admission-plugins turns off.
	Disable []string
	// ConfigFile is the API server's --admission-control-config-file (an
	// AdmissionConfiguration): the configuration of the plugins it names.
	ConfigFile string
}

// Plugins returns the names of every admission plugin kube-apiserver knows,
// in its order: the words Config.Enable and Config.Disable take.
func Plugins() []string { return slices.Clone(options.AllOrderedPlugins) }

// Validate returns an error naming each plugin name kube-apiserver does not
// know.
func (c Config) Validate() error {
	known := sets.New(options.AllOrderedPlugins...)
	var errs []error
	for _, list := range []struct {
		key   string
		names []string
	}{{"enablePlugins", c.Enable}, {"disablePlugins", c.Disable}} {
		for _, n := range list.names {
			if !known.Has(n) {
				errs = append(errs, fmt.Errorf("%s: %q is not an admission plugin of kube-apiserver (one of %s)", list.key, n, strings.Join(options.AllOrderedPlugins, ", ")))
			}
		}
	}
	return errors.Join(errs...)
}

// enabled returns the plugins this chain runs, in the API server's order.
func (c Config) enabled() []string {
	on := sets.New(options.AllOrderedPlugins...).Difference(options.DefaultOffAdmissionPlugins())
	on.Insert(c.Enable...)
	on.Delete(c.Disable...)
	var out []string
	for _, n := range options.AllOrderedPlugins {
		if on.Has(n) && podCreatePlugins.Has(n) {
			out = append(out, n)
		}
	}
	return out
}

// Cluster is what the plugins read.
type Cluster struct {
	// Informers hold the cluster's objects. The chain registers the
	// informers its plugins need; the caller starts the factory after New
	// and waits for it to sync.
	Informers informers.SharedInformerFactory
	// Client is read only where the informers cannot answer (a namespace the
	// policy matcher does not hold yet). Never for ServiceAccounts or
	// LimitRanges: see the package doc.
	Client kubernetes.Interface
	// Dynamic reads ValidatingAdmissionPolicy parameters.
	Dynamic dynamic.Interface
	// RESTMapper maps a policy's paramKind to its resource.
	RESTMapper meta.RESTMapper
	// Partial says the informers may lack objects that exist (check without
	// a cluster): a PriorityClass or RuntimeClass they do not hold is a
	// warning, not a refusal.
	Partial bool
}

// Chain runs the admission plugins on pods.
type Chain struct {
	plugins []plugin
	objects admission.ObjectInterfaces
	quota   *quotaRules
	classes classes
	partial bool
	names   []string
}

type plugin struct {
	name string
	admission.Interface
}

// SyncTimeout bounds how long New waits for the informers.
const SyncTimeout = time.Minute

// New constructs and initializes the enabled plugins as the API server does,
// then starts the informers they read and waits until they hold the
// cluster's objects (at most SyncTimeout: a plugin that is not ready would
// hold every admission). The informers and plugins stop when ctx ends.
func New(ctx context.Context, c Cluster, cfg Config) (*Chain, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("admission plugins: %w", err)
	}
	names := cfg.enabled()
	// kube-apiserver's registry: the generic server's plugins, then its own.
	registry := admission.NewPlugins()
	genericserver.RegisterAllAdmissionPlugins(registry)
	options.RegisterAllAdmissionPlugins(registry)
	configScheme := runtime.NewScheme()
	apiserverinstall.Install(configScheme)
	provider, err := admission.ReadAdmissionConfiguration(names, cfg.ConfigFile, configScheme)
	if err != nil {
		return nil, fmt.Errorf("admission plugins: %w", err)
	}
	version := compatibility.DefaultBuildEffectiveVersion()
	version.SetEmulationVersion(utilfeature.DefaultMutableFeatureGate.EmulationVersion())
	init := genericinitializer.New(standIn{c.Client}, c.Dynamic, c.Informers, authorizerfactory.NewAlwaysAllowAuthorizer(),
		utilfeature.DefaultFeatureGate, version, ctx.Done(), c.RESTMapper)
	chain := &Chain{objects: admission.NewObjectInterfacesFromScheme(legacyscheme.Scheme), partial: c.Partial, names: names}
	for _, n := range names {
		config, err := provider.ConfigFor(n)
		if err != nil {
			return nil, fmt.Errorf("admission plugin %s: %w", n, err)
		}
		p, err := registry.InitPlugin(n, config, init)
		if err != nil {
			return nil, fmt.Errorf("admission plugin %s: %w", n, err)
		}
		if p != nil {
			chain.plugins = append(chain.plugins, plugin{name: n, Interface: p})
		}
	}
	chain.quota = newQuota(c.Informers)
	chain.classes = newClasses(c.Informers, c.Client)
	c.Informers.Start(ctx.Done())
	wait, cancel := context.WithTimeout(ctx, SyncTimeout)
	defer cancel()
	for typ, synced := range c.Informers.WaitForCacheSync(wait.Done()) {
		if !synced {
			return nil, fmt.Errorf("admission plugins: the informer of %v did not sync in %s (can the webhook list and watch them?)", typ, SyncTimeout)
		}
	}
	return chain, nil
}

// Names returns the plugins the chain runs, in order.
func (c *Chain) Names() []string { return slices.Clone(c.names) }

// Request is one pod to admit.
type Request struct {
	// Pod is the pod a controller will create (or the Pod being created),
	// with its namespace and name set.
	Pod *corev1.Pod
	// User creates the pod: a workload's controller, or the requester of a Pod.
	User user.Info
	// DryRun is a server-side dry run: objects the same apply creates first
	// do not exist in it, so a missing class is a warning.
	DryRun bool
}

// Result is what the chain did to a pod.
type Result struct {
	// Pod is the pod after the mutating plugins, as the API server
	// validates it; the request's pod when a plugin refused it.
	Pod *corev1.Pod
	// Refusals are the plugins' refusals, in the API server's words
	// without its "pods "name" is forbidden: " prefix.
	Refusals []Refusal
	// Warnings are what the plugins would only warn about, or could not
	// decide here.
	Warnings []string
}

// Refusal is one plugin's refusal.
type Refusal struct {
	Plugin  string
	Message string
}

// Admit runs the mutating plugins on a copy of r.Pod, then the validating
// ones and ResourceQuota's rules, as the API server does on a create.
func (c *Chain) Admit(ctx context.Context, r Request) (res Result) {
	res.Pod = r.Pod
	v1pod := r.Pod.DeepCopy()
	legacyscheme.Scheme.Default(v1pod)
	pod := &api.Pod{}
	if err := legacyscheme.Scheme.Convert(v1pod, pod, nil); err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("pod admission not run: converting the pod to the API server's internal type: %v", err))
		return res
	}
	if pod.Namespace == "" {
		pod.Namespace = metav1.NamespaceDefault // where kubectl apply puts it
	}
	attrs := &notes{Attributes: admission.NewAttributesRecord(pod, nil, corev1.SchemeGroupVersion.WithKind("Pod"), pod.Namespace, pod.Name,
		corev1.SchemeGroupVersion.WithResource("pods"), "", admission.Create, &metav1.CreateOptions{}, r.DryRun, r.User)}
	ctx = warning.WithWarningRecorder(ctx, attrs)
	defer func() { res.Warnings = append(res.Warnings, attrs.warnings...) }()
	c.classes.confirm(ctx, pod)
	for _, p := range c.plugins {
		m, ok := p.Interface.(admission.MutationInterface)
		if !ok || !m.Handles(admission.Create) {
			continue
		}
		if err := m.Admit(ctx, attrs, c.objects); err != nil {
			// The API server stops at the first mutating refusal.
			c.refuse(&res, r, p.name, pod, err)
			return res
		}
	}
	admitted := &corev1.Pod{}
	if err := legacyscheme.Scheme.Convert(pod, admitted, nil); err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("pod admission not run: converting the admitted pod back: %v", err))
		return res
	}
	admitted.Namespace = r.Pod.Namespace
	res.Pod = admitted
	for _, p := range c.plugins {
		v, ok := p.Interface.(admission.ValidationInterface)
		if !ok || !v.Handles(admission.Create) {
			continue
		}
		if err := v.Validate(ctx, attrs, c.objects); err != nil {
			c.refuse(&res, r, p.name, pod, err)
		}
	}
	if refusal, warning := c.quota.check(attrs); refusal != "" {
		res.Refusals = append(res.Refusals, Refusal{Plugin: "ResourceQuota", Message: refusal})
	} else if warning != "" {
		res.Warnings = append(res.Warnings, warning)
	}
	return res
}

// refuse records plugin's refusal, or a warning where the class it names may
// exist where the chain cannot see (a dry run, a partial view).
func (c *Chain) refuse(res *Result, r Request, name string, pod *api.Pod, err error) {
	msg := message(err)
	if (r.DryRun || c.partial) && c.classes.absent(name, pod) {
		why := "this is a dry run"
		if !r.DryRun {
			why = "not known without the cluster"
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s (%s: pods will be forbidden unless it is created)", msg, why))
		return
	}
	res.Refusals = append(res.Refusals, Refusal{Plugin: name, Message: msg})
}

// message is an admission error's message without the API server's
// "pods "name" is forbidden: " prefix: the pod's generated name says nothing
// about the workload.
func message(err error) string {
	msg := err.Error()
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		msg = status.Status().Message
	}
	if i := strings.Index(msg, " is forbidden: "); i > 0 && strings.HasPrefix(msg, "pods ") {
		msg = msg[i+len(" is forbidden: "):]
	}
	return msg
}
