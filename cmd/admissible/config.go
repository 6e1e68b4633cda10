package main

import (
	"flag"
	"fmt"
	psaapi "k8s.io/pod-security-admission/admission/api"
	"net/netip"
	"os"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/cache"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/suggest"
	judge "github.com/admissible/admissible/webhook"
	"github.com/admissible/admissible/webhook/kinds"
	"github.com/admissible/admissible/webhook/podadmission"
	"github.com/admissible/admissible/webhook/policy"
)

// config is the --config file: one YAML document, shared by serve, check,
// webhook-config and mirrors check. Every key is optional; a key the file
// does not know is refused with its name. Flags given on the command line
// win over the file.
//
//	# Talos' machine.registries.mirrors, verbatim (default: none, every image
//	# is looked up at its own registry).
//	mirrors:
//	  docker.io:
//	    endpoints: [https://harbor.example/v2/docker.io]
//	    overridePath: true
//	  quay.io:
//	    endpoints: [http://127.0.0.1:5000]
//	    skipFallback: true
//
//	# What each check does with a problem: enforce (refuse the object), warn
//	# (admit it, the problem as a warning prefixed "[warn mode] ") or off (do
//	# not check). Default: enforce for all. A namespace's labels
//	# admissible.dev/images, admissible.dev/pod-templates and
//	# admissible.dev/pod-admission override them there; an object's annotation
//	# admissible.dev/skip: images,pod-templates,pod-admission exempts that
//	# object (with a warning saying so). check has no cluster: only these
//	# modes and the annotation apply, and pod admission is not checked.
//	modes:
//	  images: enforce        # unparsable references, the registries policy, images that do not exist
//	  podTemplates: enforce  # the API server's validation of the pods a workload creates
//	  podAdmission: enforce  # PodSecurity, and the ServiceAccount, PriorityClass, RuntimeClass pods name
//
//	# The cluster's PodSecurity admission configuration, which the webhook
//	# cannot read (kube-apiserver --admission-control-config-file): the levels
//	# of namespaces without pod-security.kubernetes.io labels, and the
//	# exemptions. Default: privileged everywhere, no exemptions (as
//	# kube-apiserver's own default).
//	podSecurity:
//	  defaults: {enforce: privileged, enforceVersion: latest, audit: privileged, warn: privileged}
//	  exemptions: {namespaces: [], runtimeClasses: [], usernames: []}
//
//	# Which registry hosts images may name: path.Match globs on the host
//	# (port included; Docker Hub is docker.io). Deny wins; when allow is not
//	# empty, a host it does not match is refused. A refused image is never
//	# looked up. Part of the images check: its mode applies. Default: both
//	# empty, every registry allowed.
//	registries:
//	  allow: ["*.corp.example", docker.io, quay.io]
//	  deny: [evil.example]
//
//	# Kinds to judge besides the built-in ones (default: none). Paths are
//	# dot-separated field names; "name[]" walks every item of a list:
//	# spec.sidecars[].image. imagePaths hold image references,
//	# podTemplatePaths pod specs (containers, env, volumes). group may be
//	# empty; version, kind, resource (the plural used in webhook rules) and
//	# at least one path are required; a kind built in or listed twice is
//	# refused. webhook-config --config adds them to the webhook's rules.
//	customResources:
//	  - group: argoproj.io
//	    version: v1alpha1
//	    kind: Rollout
//	    resource: rollouts
//	    podTemplatePaths: [spec.template.spec]
//	  - group: example.com
//	    version: v1
//	    kind: App
//	    resource: apps
//	    imagePaths: [spec.image, spec.sidecars[].image]
//
//	# Time one admission may take (serve default 8s, check default 30s per
//	# object); lookups still running then become warnings. --budget wins.
//	budget: 8s
//	# Time one registry endpoint may take (serve default 3s, check default
//	# 5s). --endpoint-timeout wins.
//	endpointTimeout: 3s
type config struct {
	// Mirrors takes Talos' machine.registries.mirrors verbatim.
	Mirrors mirrors.Config `json:"mirrors,omitempty"`
	// PodSecurity is the cluster's PodSecurity admission configuration.
	PodSecurity podSecurityConfig `json:"podSecurity,omitempty"`
	// Modes are the mode of each check where no namespace label or object
	// annotation says otherwise.
	Modes modesConfig `json:"modes,omitempty"`
	// Registries are the hosts images may and may not name.
	Registries registriesConfig `json:"registries,omitempty"`
	// CustomResources are kinds judged besides the built-in ones.
	CustomResources []customResource `json:"customResources,omitempty"`
	// Budget bounds one admission, unless --budget is given.
	Budget *metav1.Duration `json:"budget,omitempty"`
	// EndpointTimeout bounds one registry endpoint, unless
	// --endpoint-timeout is given.
	EndpointTimeout *metav1.Duration `json:"endpointTimeout,omitempty"`

	// Read from the above by validate.
	modes      judge.Modes
	registries *policy.Registries
	catalog    *kinds.Catalog
}

// podSecurityConfig is the podSecurity key.
type podSecurityConfig struct {
	Defaults   podSecurityDefaults   `json:"defaults,omitempty"`
	Exemptions podSecurityExemptions `json:"exemptions,omitempty"`
}

type podSecurityDefaults struct {
	Enforce        string `json:"enforce,omitempty"`
	EnforceVersion string `json:"enforceVersion,omitempty"`
	Audit          string `json:"audit,omitempty"`
	AuditVersion   string `json:"auditVersion,omitempty"`
	Warn           string `json:"warn,omitempty"`
	WarnVersion    string `json:"warnVersion,omitempty"`
}

type podSecurityExemptions struct {
	Namespaces     []string `json:"namespaces,omitempty"`
	RuntimeClasses []string `json:"runtimeClasses,omitempty"`
	Usernames      []string `json:"usernames,omitempty"`
}

// podSecurity returns the configuration as pod admission takes it.
func (c config) podSecurity() podadmission.PodSecurity {
	d, e := c.PodSecurity.Defaults, c.PodSecurity.Exemptions
	return podadmission.PodSecurity{
		Defaults:   psaapi.PodSecurityDefaults{Enforce: d.Enforce, EnforceVersion: d.EnforceVersion, Audit: d.Audit, AuditVersion: d.AuditVersion, Warn: d.Warn, WarnVersion: d.WarnVersion},
		Exemptions: psaapi.PodSecurityExemptions{Namespaces: e.Namespaces, RuntimeClasses: e.RuntimeClasses, Usernames: e.Usernames},
	}
}

// modesConfig is the modes key.
type modesConfig struct {
	Images       string `json:"images,omitempty"`
	PodTemplates string `json:"podTemplates,omitempty"`
	PodAdmission string `json:"podAdmission,omitempty"`
}

// registriesConfig is the registries key.
type registriesConfig struct {
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// customResource is one entry of the customResources key.
type customResource struct {
	Group            string   `json:"group,omitempty"`
	Version          string   `json:"version,omitempty"`
	Kind             string   `json:"kind,omitempty"`
	Resource         string   `json:"resource,omitempty"`
	ImagePaths       []string `json:"imagePaths,omitempty"`
	PodTemplatePaths []string `json:"podTemplatePaths,omitempty"`
}

// loadConfig reads path strictly: an unknown key is an error naming it, and
// so is a value validate refuses. An empty path is the default
// configuration.
func loadConfig(path string) (config, error) {
	var c config
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		if err := yaml.UnmarshalStrict(data, &c); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if err := c.validate(); err != nil {
		if path == "" {
			return c, fmt.Errorf("config: %w", err)
		}
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// validate checks every key but mirrors (checked when the lookup chain is
// built) and reads the modes, the registries policy and the catalog.
func (c *config) validate() error {
	var err error
	if c.modes.Images, err = judge.ParseMode(c.Modes.Images); err != nil {
		return fmt.Errorf("modes.images: %w", err)
	}
	if c.modes.PodTemplates, err = judge.ParseMode(c.Modes.PodTemplates); err != nil {
		return fmt.Errorf("modes.podTemplates: %w", err)
	}
	if c.modes.PodAdmission, err = judge.ParseMode(c.Modes.PodAdmission); err != nil {
		return fmt.Errorf("modes.podAdmission: %w", err)
	}
	if _, err := podadmission.New(nil, c.podSecurity(), 0); err != nil {
		return err
	}
	if c.registries, err = policy.NewRegistries(c.Registries.Allow, c.Registries.Deny); err != nil {
		return fmt.Errorf("registries.%w", err)
	}
	for _, d := range []struct {
		key string
		d   *metav1.Duration
	}{{"budget", c.Budget}, {"endpointTimeout", c.EndpointTimeout}} {
		if d.d != nil && d.d.Duration <= 0 {
			return fmt.Errorf("%s: %s: must be positive", d.key, d.d.Duration)
		}
	}
	c.catalog, err = catalog(c.CustomResources)
	return err
}

// catalog returns the built-in kinds and the configured ones.
func catalog(crs []customResource) (*kinds.Catalog, error) {
	all := kinds.Builtin().All()
	builtin := make(map[schema.GroupVersionKind]bool, len(all))
	for _, k := range all {
		builtin[k.GroupVersionKind] = true
	}
	listed := map[schema.GroupVersionKind]int{}
	for i, cr := range crs {
		at := fmt.Sprintf("customResources[%d]", i)
		gvk := schema.GroupVersionKind{Group: cr.Group, Version: cr.Version, Kind: cr.Kind}
		for _, f := range []struct{ name, value string }{{"version", cr.Version}, {"kind", cr.Kind}, {"resource", cr.Resource}} {
			if f.value == "" {
				return nil, fmt.Errorf("%s.%s: required", at, f.name)
			}
			if strings.ContainsAny(f.value, "/ ") {
				return nil, fmt.Errorf("%s.%s %q: no slashes or spaces", at, f.name, f.value)
			}
		}
		if builtin[gvk] {
			return nil, fmt.Errorf("%s: %s is built in", at, describe(gvk))
		}
		if j, dup := listed[gvk]; dup {
			return nil, fmt.Errorf("%s: %s is already customResources[%d]", at, describe(gvk), j)
		}
		listed[gvk] = i
		if len(cr.ImagePaths) == 0 && len(cr.PodTemplatePaths) == 0 {
			return nil, fmt.Errorf("%s: no imagePaths or podTemplatePaths: nothing to judge", at)
		}
		k := kinds.Kind{GroupVersionKind: gvk, Resource: cr.Resource}
		for _, l := range []struct {
			name  string
			paths []string
			into  *[]kinds.Path
		}{{"imagePaths", cr.ImagePaths, &k.Images}, {"podTemplatePaths", cr.PodTemplatePaths, &k.PodSpecs}} {
			for j, s := range l.paths {
				p, err := kinds.ParsePath(s)
				if err != nil {
					return nil, fmt.Errorf("%s.%s[%d]: %w", at, l.name, j, err)
				}
				*l.into = append(*l.into, p)
			}
		}
		all = append(all, k)
	}
	return kinds.New(all...)
}

// describe names a kind as a user writes it: "argoproj.io/v1alpha1 Rollout".
func describe(gvk schema.GroupVersionKind) string {
	return gvk.GroupVersion().String() + " " + gvk.Kind
}

// engineOptions are the engine settings the file holds.
func (c config) engineOptions() []judge.Option {
	return []judge.Option{judge.WithModes(c.modes), judge.WithRegistries(c.registries), judge.WithCatalog(c.catalog)}
}

// overrideFromFile sets the budget and endpoint timeout from the file
// unless their flags were given.
func (c config) overrideFromFile(fs *flag.FlagSet, budget, endpointTimeout *time.Duration) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if c.Budget != nil && !given["budget"] {
		*budget = c.Budget.Duration
	}
	if c.EndpointTimeout != nil && !given["endpoint-timeout"] {
		*endpointTimeout = c.EndpointTimeout.Duration
	}
}

// lookupFlags are the registry lookup settings serve and check share.
type lookupFlags struct {
	endpointTimeout time.Duration
	allowNetworks   stringList
	allowPrivate    bool
	dockerConfig    string
	hostsDir        string
}

func (l *lookupFlags) register(fs *flag.FlagSet, endpointTimeout time.Duration) {
	fs.DurationVar(&l.endpointTimeout, "endpoint-timeout", endpointTimeout, "time one registry endpoint may take to answer")
	fs.Var(&l.allowNetworks, "allow-network", "CIDR of registry addresses images may name although private or loopback (repeatable); mirror endpoints are always allowed")
	fs.BoolVar(&l.allowPrivate, "allow-private-registries", false, "contact registries named by images that resolve to private addresses (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10)")
	fs.StringVar(&l.dockerConfig, "docker-config", "", "docker config.json with the credentials nodes pull with when a pod has no pull secret")
	fs.StringVar(&l.hostsDir, "containerd-hosts", "", "containerd certs.d directory (DIR/<registry>/hosts.toml) naming mirrors, as on the nodes")
}

// resolver builds the lookup chain: cache(suggest(mirrors(registry))).
func (l lookupFlags) resolver(c config, observer registry.Observer) (resolvers.Resolver, *cache.Cache, error) {
	opts := []registry.Option{
		registry.WithTimeout(l.endpointTimeout),
		registry.WithUserAgent("admissible/" + version),
		registry.WithAllowPrivate(l.allowPrivate),
	}
	var allowed []netip.Prefix
	for _, n := range l.allowNetworks {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			return nil, nil, fmt.Errorf("--allow-network %q: %w", n, err)
		}
		allowed = append(allowed, p)
	}
	if len(allowed) > 0 {
		opts = append(opts, registry.WithAllowedNetworks(allowed...))
	}
	if l.dockerConfig != "" {
		creds, err := credentials.LoadFile(l.dockerConfig)
		if err != nil {
			return nil, nil, fmt.Errorf("--docker-config: %w", err)
		}
		opts = append(opts, registry.WithKeychain(creds.Keychain()))
	}
	if observer != nil {
		opts = append(opts, registry.WithObserver(observer))
	}
	client := registry.New(opts...)
	chain, err := mirrors.New(c.Mirrors, client, l.mirrorOptions()...)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	cached := cache.New(suggest.New(chain, client))
	return cached, cached, nil
}

// mirrorOptions are the mirror chain's options from the flags.
func (l lookupFlags) mirrorOptions() []mirrors.Option {
	if l.hostsDir == "" {
		return nil
	}
	return []mirrors.Option{mirrors.WithHostsDir(l.hostsDir)}
}
