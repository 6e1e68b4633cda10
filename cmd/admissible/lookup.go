package main

import (
	"flag"
	"fmt"
	"net/netip"
	"time"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/cache"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/mirrors"
	served "github.com/admissible/admissible/resolvers/platforms"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/suggest"
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
}

func (l *lookupFlags) register(fs *flag.FlagSet, endpointTimeout time.Duration) {
	fs.DurationVar(&l.endpointTimeout, "endpoint-timeout", endpointTimeout, "time one registry endpoint may take to answer")
	fs.Var(&l.allowNetworks, "allow-network", "CIDR of registry addresses images may name although private or loopback (repeatable); mirror endpoints are always allowed")
	fs.BoolVar(&l.allowPrivate, "allow-private-registries", false, "contact registries named by images that resolve to private addresses (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10)")
	fs.StringVar(&l.dockerConfig, "docker-config", "", "docker config.json with the credentials nodes pull with when a pod has no pull secret")
	fs.StringVar(&l.hostsDir, "containerd-hosts", "", "containerd certs.d directory (DIR/<registry>/hosts.toml) naming mirrors, as on the nodes")
}

// lookups are the lookup chain, its cache, and what reads the platforms
// of what it finds.
type lookups struct {
	resolver  resolvers.Resolver
	cache     *cache.Cache
	platforms *served.Reader
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
	chain, err := mirrors.New(c.Mirrors, client, l.mirrorOptions()...)
	if err != nil {
		return lookups{}, fmt.Errorf("config: %w", err)
	}
	cached := cache.New(suggest.New(chain, client))
	return lookups{resolver: cached, cache: cached, platforms: served.New(client)}, nil
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
