package crio

import "fmt"

// ShortNameMode is CRI-O's short_name_mode (crio.conf, [crio.image]): what
// a node does with a reference that names no registry. CRI-O sets it for
// every pull, so registries.conf's own short-name-mode is never read.
type ShortNameMode string

const (
	// Enforcing refuses a short name that has several candidates and no
	// alias: CRI-O's default since 1.34.
	Enforcing ShortNameMode = "enforcing"
	// Disabled tries the candidates in order; the first that pulls wins.
	// OpenShift nodes run so.
	Disabled ShortNameMode = "disabled"
)

// ParseShortNameMode reads a short-name mode as crio.conf writes it.
func ParseShortNameMode(s string) (ShortNameMode, error) {
	switch m := ShortNameMode(s); m {
	case Enforcing, Disabled:
		return m, nil
	default:
		return "", fmt.Errorf("short-name mode %q: CRI-O knows %q and %q", s, Enforcing, Disabled)
	}
}

// Option configures a Resolver.
type Option func(*options)

type options struct {
	file, dir string
	mode      ShortNameMode
	// describedAs names the configuration in messages instead of its
	// files (Live: the cluster's mirror sets).
	describedAs string
}

// WithRegistriesConf reads registries.conf from file, as a node reads
// /etc/containers/registries.conf. The file must exist.
func WithRegistriesConf(file string) Option { return func(o *options) { o.file = file } }

// WithRegistriesConfDir reads the drop-in files (*.conf, in name order,
// each overriding what came before) of dir, as a node reads
// /etc/containers/registries.conf.d. The directory must exist.
func WithRegistriesConfDir(dir string) Option { return func(o *options) { o.dir = dir } }

// WithShortNameMode sets the nodes' short_name_mode (default Enforcing,
// CRI-O's default).
func WithShortNameMode(m ShortNameMode) Option { return func(o *options) { o.mode = m } }
