package config

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/admission/api"

	"github.com/admissible/admissible/resolvers/crio"
	"github.com/admissible/admissible/resolvers/mirrors"
	served "github.com/admissible/admissible/resolvers/platforms"
	"github.com/admissible/admissible/webhook/defaults"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/admissionchain"
	"github.com/admissible/admissible/webhook/judge/kinds"
	"github.com/admissible/admissible/webhook/judge/podadmission"
	"github.com/admissible/admissible/webhook/judge/policy"
	"github.com/admissible/admissible/webhook/serving/shed"
)

// File is the configuration file, as written and as read.
type File struct {
	// Mirrors takes Talos' machine.registries.mirrors verbatim.
	Mirrors mirrors.Config `json:"mirrors,omitempty"`
	// Modes are the mode of each check where no namespace label or object
	// annotation says otherwise.
	Modes Modes `json:"modes,omitempty"`
	// PodSecurity is the cluster's PodSecurity admission configuration.
	PodSecurity PodSecurity `json:"podSecurity,omitempty"`
	// Admission is how the cluster's API server runs its admission plugins.
	Admission Admission `json:"admission,omitempty"`
	// Registries are the hosts images may and may not name.
	Registries Registries `json:"registries,omitempty"`
	// CustomResources are kinds judged besides the built-in ones.
	CustomResources []CustomResource `json:"customResources,omitempty"`
	// Budget bounds one admission, unless --budget is given.
	Budget *metav1.Duration `json:"budget,omitempty"`
	// EndpointTimeout bounds one registry endpoint, unless
	// --endpoint-timeout is given.
	EndpointTimeout *metav1.Duration `json:"endpointTimeout,omitempty"`
	// FailurePolicy is the install's failurePolicy, Ignore (default) or
	// Fail: what the API server does when the webhook cannot answer.
	// webhook-config registers it, and an admission shed under overload
	// gets the same answer: allowed with a warning, or a retryable refusal.
	FailurePolicy string `json:"failurePolicy,omitempty"`
	// MaxInFlight bounds the admissions one replica judges at once
	// (default shed.DefaultMaxInFlight); those beyond it are shed.
	MaxInFlight *int `json:"maxInFlight,omitempty"`
	// CRIO makes lookups walk as CRI-O nodes pull: registries.conf.
	CRIO CRIO `json:"crio,omitempty"`
	// Platforms are the nodes' platforms ("linux/amd64", "linux/arm64"),
	// for the platforms check where the nodes are not read: check, and
	// serve without cluster access.
	Platforms []string `json:"platforms,omitempty"`

	// Read from the above by validate.
	platforms  []ocispec.Platform
	modes      judge.Modes
	registries *policy.Registries
	catalog    *kinds.Catalog
}

// Modes is the modes key: a mode by check key (judge.Checks' Key).
type Modes map[string]Mode

// CRIO is the crio key: the nodes' containers-registries.conf, read by
// containers/image's own code, and CRI-O's short_name_mode. Paths are
// where admissible runs; --registries-conf, --registries-conf-dir and
// --short-name-mode win.
type CRIO struct {
	RegistriesConf    string `json:"registriesConf,omitempty"`
	RegistriesConfDir string `json:"registriesConfDir,omitempty"`
	// ShortNameMode is enforcing (CRI-O's default) or disabled
	// (OpenShift's).
	ShortNameMode string `json:"shortNameMode,omitempty"`
}

// PodSecurity is the podSecurity key: the cluster's PodSecurity admission
// configuration, which the webhook cannot read.
type PodSecurity struct {
	Defaults   PodSecurityDefaults   `json:"defaults,omitempty"`
	Exemptions PodSecurityExemptions `json:"exemptions,omitempty"`
}

// PodSecurityDefaults are the levels of namespaces without labels.
type PodSecurityDefaults struct {
	Enforce        string `json:"enforce,omitempty"`
	EnforceVersion string `json:"enforceVersion,omitempty"`
	Audit          string `json:"audit,omitempty"`
	AuditVersion   string `json:"auditVersion,omitempty"`
	Warn           string `json:"warn,omitempty"`
	WarnVersion    string `json:"warnVersion,omitempty"`
}

// PodSecurityExemptions are the exempt namespaces, runtime classes and users.
type PodSecurityExemptions struct {
	Namespaces     []string `json:"namespaces,omitempty"`
	RuntimeClasses []string `json:"runtimeClasses,omitempty"`
	Usernames      []string `json:"usernames,omitempty"`
}

// PodAdmission returns the podSecurity key as pod admission takes it.
func (f *File) PodAdmission() podadmission.PodSecurity {
	d, e := f.PodSecurity.Defaults, f.PodSecurity.Exemptions
	return podadmission.PodSecurity{
		Defaults: psaapi.PodSecurityDefaults{Enforce: d.Enforce, EnforceVersion: d.EnforceVersion, Audit: d.Audit,
			AuditVersion: d.AuditVersion, Warn: d.Warn, WarnVersion: d.WarnVersion},
		Exemptions: psaapi.PodSecurityExemptions{Namespaces: e.Namespaces, RuntimeClasses: e.RuntimeClasses, Usernames: e.Usernames},
	}
}

// Admission is the admission key: the cluster's kube-apiserver admission
// flags, which the webhook cannot read.
type Admission struct {
	// EnablePlugins is --enable-admission-plugins.
	EnablePlugins []string `json:"enablePlugins,omitempty"`
	// DisablePlugins is --disable-admission-plugins.
	DisablePlugins []string `json:"disablePlugins,omitempty"`
	// ConfigFile is --admission-control-config-file: the path, where the
	// webhook runs, of the API server's AdmissionConfiguration.
	ConfigFile string `json:"configFile,omitempty"`
}

// AdmissionChain returns the admission key as the admission chain takes it.
func (f *File) AdmissionChain() admissionchain.Config {
	a := f.Admission
	return admissionchain.Config{Enable: a.EnablePlugins, Disable: a.DisablePlugins, ConfigFile: a.ConfigFile}
}

// Registries is the registries key.
type Registries struct {
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// CustomResource is one entry of the customResources key.
type CustomResource struct {
	Group            string   `json:"group,omitempty"`
	Version          string   `json:"version,omitempty"`
	Kind             string   `json:"kind,omitempty"`
	Resource         string   `json:"resource,omitempty"`
	ImagePaths       []string `json:"imagePaths,omitempty"`
	PodTemplatePaths []string `json:"podTemplatePaths,omitempty"`
}

// Load reads the file at path strictly: an unknown key is an error naming
// it, and so is a value the file refuses. An empty path is the default
// configuration. A file larger than MaxSize is refused.
func Load(path string) (*File, error) {
	if path == "" {
		return Parse("", nil)
	}
	data, err := readLimited(path, MaxSize)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// MaxSize bounds the configuration file: 1 MiB.
const MaxSize = 1 << 20

// Parse reads the configuration file named path (for messages) from data,
// as Load does.
func Parse(path string, data []byte) (*File, error) {
	var f File
	name := "config"
	if path != "" {
		name += " " + path
	}
	if len(data) > 0 {
		if err := decode(data, &f); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &f, nil
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return data, nil
}

// validate checks every key but mirrors (checked when the lookup chain is
// built) and reads the modes, the registries policy and the catalog. Every
// problem is returned, together (errors.Join), each naming its field.
func (f *File) validate() error {
	var errs []error
	var err error
	f.modes, err = f.Modes.read()
	errs = append(errs, err)
	if f.CRIO.ShortNameMode != "" {
		if _, err := crio.ParseShortNameMode(f.CRIO.ShortNameMode); err != nil {
			errs = append(errs, fmt.Errorf("crio.shortNameMode: %w", err))
		}
	}
	if f.platforms, err = ParsePlatforms(f.Platforms); err != nil {
		errs = append(errs, fmt.Errorf("platforms: %w", err))
	}
	if _, err := podadmission.New(nil, f.PodAdmission(), 0); err != nil {
		errs = append(errs, err)
	}
	if err := f.AdmissionChain().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("admission.%w", err))
	}
	if f.registries, err = policy.NewRegistries(f.Registries.Allow, f.Registries.Deny); err != nil {
		errs = append(errs, fmt.Errorf("registries.%w", err))
	}
	for _, d := range []struct {
		key string
		d   *metav1.Duration
	}{{"budget", f.Budget}, {"endpointTimeout", f.EndpointTimeout}} {
		if d.d != nil && d.d.Duration <= 0 {
			errs = append(errs, fmt.Errorf("%s: %s: must be positive", d.key, d.d.Duration))
		}
	}
	switch f.FailurePolicy {
	case "", Ignore, Fail:
	default:
		errs = append(errs, fmt.Errorf("failurePolicy: %q: must be %s or %s", f.FailurePolicy, Ignore, Fail))
	}
	if f.MaxInFlight != nil && *f.MaxInFlight < 1 {
		errs = append(errs, fmt.Errorf("maxInFlight: %d: must be at least 1", *f.MaxInFlight))
	}
	f.catalog, err = catalog(f.CustomResources)
	return errors.Join(append(errs, err)...)
}

// The failure policies, spelled as the ValidatingWebhookConfiguration
// spells them.
const (
	Ignore = string(admissionregistrationv1.Ignore)
	Fail   = string(admissionregistrationv1.Fail)
)

// Policy is the failurePolicy key, defaults.FailurePolicy when unset.
func (f *File) Policy() string {
	if f.FailurePolicy == "" {
		return string(defaults.FailurePolicy)
	}
	return f.FailurePolicy
}

// ShedOptions are the overload settings the file holds: how many
// admissions are judged at once, and how a shed one is answered.
func (f *File) ShedOptions() []shed.Option {
	opts := []shed.Option{shed.WithRefusal(f.Policy() == Fail)}
	if f.MaxInFlight != nil {
		opts = append(opts, shed.WithMaxInFlight(*f.MaxInFlight))
	}
	return opts
}

// Catalog is the built-in kinds and the configured custom resources.
func (f *File) Catalog() *kinds.Catalog { return f.catalog }

// EngineOptions are the engine settings the file holds: modes, registries
// policy and catalog.
func (f *File) EngineOptions() []judge.Option {
	return []judge.Option{judge.WithModes(f.modes), judge.WithRegistries(f.registries), judge.WithCatalog(f.catalog)}
}

// read returns the modes by check name, each check's default where the
// file names none. A key that is no check's, or a value that is no mode,
// is an error naming it.
func (m Modes) read() (judge.Modes, error) {
	out := make(judge.Modes, len(judge.Checks))
	keys := make([]string, 0, len(judge.Checks))
	for _, c := range judge.Checks {
		keys = append(keys, c.Key)
		mode, err := judge.ParseMode(string(m[c.Key]))
		if err != nil {
			return nil, fmt.Errorf("modes.%s: %w", c.Key, err)
		}
		if mode == "" {
			mode = c.Default
		}
		out[c.Name] = mode
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(keys, k) {
			return nil, fmt.Errorf("modes: unknown key %q (known: %s)", k, strings.Join(keys, ", "))
		}
	}
	return out, nil
}

// NodePlatforms are the nodes' platforms the file names.
func (f *File) NodePlatforms() []ocispec.Platform { return f.platforms }

// ParsePlatforms reads platforms as containerd writes them
// ("linux/arm64", "linux/arm/v7", "windows(10.0.20348)/amd64"), each once.
func ParsePlatforms(list []string) ([]ocispec.Platform, error) {
	var out []ocispec.Platform
	seen := map[string]bool{}
	for _, s := range list {
		p, err := served.Parse(strings.TrimSpace(s))
		if err != nil {
			return nil, err
		}
		if k := served.Format(p); !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out, nil
}
