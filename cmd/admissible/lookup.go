package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/cache"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/crio"
	"github.com/admissible/admissible/resolvers/mirrors"
	served "github.com/admissible/admissible/resolvers/platforms"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/suggest"
	"github.com/admissible/admissible/webhook/cluster"
	"github.com/admissible/admissible/webhook/config"
)

// overrideFromFile sets the budget and endpoint timeout from the file
// unless their flags were given.
func overrideFromFile(c *config.File, fs *flag.FlagSet, budget, endpointTimeout *time.Duration) {
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
	// registriesConf, registriesConfDir and shortNameMode make the walk
	// CRI-O's.
	registriesConf, registriesConfDir, shortNameMode string
	// mirrorSets makes the walk CRI-O's, its registries.conf rendered from
	// the cluster's OpenShift mirror sets (lookups.live).
	mirrorSets bool
}

func (l *lookupFlags) register(fs *flag.FlagSet, endpointTimeout time.Duration) {
	fs.DurationVar(&l.endpointTimeout, "endpoint-timeout", endpointTimeout, "time one registry endpoint may take to answer")
	fs.Var(&l.allowNetworks, "allow-network", "CIDR of registry addresses images may name although private or loopback (repeatable); mirror endpoints are always allowed")
	fs.BoolVar(&l.allowPrivate, "allow-private-registries", false, "contact registries named by images that resolve to private addresses (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10)")
	fs.StringVar(&l.dockerConfig, "docker-config", "", "docker config.json with the credentials nodes pull with when a pod has no pull secret")
	fs.StringVar(&l.hostsDir, "containerd-hosts", "", "containerd certs.d directory (DIR/<registry>/hosts.toml) naming mirrors, as on the nodes")
	fs.StringVar(&l.registriesConf, "registries-conf", "", "CRI-O nodes' containers-registries.conf: lookups walk as CRI-O pulls (default: the config's crio.registriesConf)")
	fs.StringVar(&l.registriesConfDir, "registries-conf-dir", "", "CRI-O nodes' registries.conf.d drop-in directory (default: the config's crio.registriesConfDir)")
	fs.StringVar(&l.shortNameMode, "short-name-mode", "", "CRI-O nodes' short_name_mode: enforcing (CRI-O's default) or disabled (OpenShift's)")
}

// lookups are the lookup chain, its cache, and what reads the platforms
// of what it finds.
type lookups struct {
	resolver  resolvers.Resolver
	cache     *cache.Cache
	platforms *served.Reader
	// live follows the cluster's mirror sets, when the walk is theirs.
	live *crio.Live
}

// resolver builds the lookup chain: cache(suggest(mirrors(registry))), and
// the platforms reader over the same registry client.
func (l lookupFlags) resolver(c *config.File, observer registry.Observer) (lookups, error) {
	opts := []registry.Option{
		registry.WithTimeout(l.endpointTimeout),
		registry.WithUserAgent("admissible/" + version),
		registry.WithAllowPrivate(l.allowPrivate),
	}
	var allowed []netip.Prefix
	for _, n := range l.allowNetworks {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			return lookups{}, fmt.Errorf("--allow-network %q: %w", n, err)
		}
		allowed = append(allowed, p)
	}
	if len(allowed) > 0 {
		opts = append(opts, registry.WithAllowedNetworks(allowed...))
	}
	if l.dockerConfig != "" {
		creds, err := credentials.LoadFile(l.dockerConfig)
		if err != nil {
			return lookups{}, fmt.Errorf("--docker-config: %w", err)
		}
		opts = append(opts, registry.WithKeychain(creds.Keychain()))
	}
	if observer != nil {
		opts = append(opts, registry.WithObserver(observer))
	}
	client := registry.New(opts...)
	walk, err := l.walker(c, client)
	if err != nil {
		return lookups{}, err
	}
	cached := cache.New(suggest.New(walk, client))
	live, _ := walk.(*crio.Live)
	return lookups{resolver: cached, cache: cached, platforms: served.New(client), live: live}, nil
}

// mirrorOptions are the mirror chain's options from the flags.
func (l lookupFlags) mirrorOptions() []mirrors.Option {
	if l.hostsDir == "" {
		return nil
	}
	return []mirrors.Option{mirrors.WithHostsDir(l.hostsDir)}
}

// walk returns the mirror chain for its endpoints only: it asks no
// registry.
func (l lookupFlags) walk(c *config.File) (*mirrors.Chain, error) {
	chain, err := mirrors.New(c.Mirrors, nil, l.mirrorOptions()...)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return chain, nil
}

// crioFiles are the CRI-O nodes' registries.conf and drop-in directory,
// from the flags, else the file; both empty when the nodes are not CRI-O's
// or nothing says so.
func (l lookupFlags) crioFiles(c *config.File) (file, dir string) {
	return first(l.registriesConf, c.CRIO.RegistriesConf), first(l.registriesConfDir, c.CRIO.RegistriesConfDir)
}

// mirrorsNamed says whether containerd's or Talos' mirrors are configured.
func (l lookupFlags) mirrorsNamed(c *config.File) bool { return l.hostsDir != "" || len(c.Mirrors) > 0 }

// walker is the walk a node makes: CRI-O's when registries.conf is named
// (flag or file) or the cluster's mirror sets are followed, containerd's or
// Talos' otherwise.
func (l lookupFlags) walker(c *config.File, client *registry.Client) (resolvers.Resolver, error) {
	file, dir := l.crioFiles(c)
	named := file != "" || dir != ""
	mode := first(l.shortNameMode, c.CRIO.ShortNameMode)
	switch {
	case named && l.mirrorsNamed(c):
		return nil, fmt.Errorf("registries.conf and mirrors: a node pulls with CRI-O's registries.conf or with containerd's hosts.toml or Talos' mirrors, not both")
	case !named && !l.mirrorSets:
		if mode != "" {
			return nil, fmt.Errorf("short-name mode %q: CRI-O's, it needs --registries-conf or --registries-conf-dir", mode)
		}
		chain, err := mirrors.New(c.Mirrors, client, l.mirrorOptions()...)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		return chain, nil
	case !named:
		// OpenShift: registries.conf as the machine-config operator
		// renders it for every node from the cluster's mirror sets, short
		// names disabled as there.
		m, err := crio.ParseShortNameMode(first(mode, string(crio.Disabled)))
		if err != nil {
			return nil, fmt.Errorf("--short-name-mode: %w", err)
		}
		state, err := os.MkdirTemp("", "admissible-registries-")
		if err != nil {
			return nil, fmt.Errorf("the mirror sets' registries.conf: %w", err)
		}
		return crio.NewLive(client, state, []crio.Option{crio.WithShortNameMode(m)})
	}
	m, err := crio.ParseShortNameMode(first(mode, string(crio.Enforcing)))
	if err != nil {
		return nil, fmt.Errorf("--short-name-mode: %w", err)
	}
	return crio.New(client, crio.WithRegistriesConf(file), crio.WithRegistriesConfDir(dir), crio.WithShortNameMode(m))
}

// first returns the first of values that is not empty.
func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// watchMirrorSets makes lookups follow an OpenShift cluster's mirror sets
// when the walk is theirs (lookupFlags.mirrorSets).
func (lk lookups) watchMirrorSets(ctx context.Context, rc *rest.Config, served []schema.GroupVersionResource, log logr.Logger) error {
	if lk.live == nil {
		return nil
	}
	return cluster.WatchMirrorSets(ctx, rc, served, lk.live.Update, log)
}

// servedMirrorSets says which OpenShift mirror set kinds the cluster
// serves, when nothing configured says how nodes pull: their walk is then
// CRI-O's, from those sets. A cluster that cannot be asked serves none.
func (l *lookupFlags) servedMirrorSets(c *config.File, kubeconfig string) (*rest.Config, []schema.GroupVersionResource) {
	if file, dir := l.crioFiles(c); file != "" || dir != "" || l.mirrorsNamed(c) {
		return nil, nil
	}
	rc, err := restConfig(kubeconfig)
	if err != nil {
		return nil, nil
	}
	served, err := cluster.ServedMirrorSets(rc)
	if err != nil {
		return nil, nil
	}
	l.mirrorSets = len(served) > 0
	return rc, served
}
