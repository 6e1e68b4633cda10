package main

import (
	"fmt"
	"os"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/registry"
	judge "github.com/admissible/admissible/webhook"
)

// config is the --config file.
type config struct {
	// Mirrors takes Talos' machine.registries.mirrors verbatim.
	Mirrors mirrors.Config `json:"mirrors,omitempty"`
}

// loadConfig reads path strictly: an unknown key is an error naming it. An
// empty path is the default configuration.
func loadConfig(path string) (config, error) {
	var c config
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// resolver builds the lookup chain: mirrors over one registry client.
func (c config) resolver(endpointTimeout time.Duration) (resolvers.Resolver, error) {
	client := registry.New(registry.WithTimeout(endpointTimeout), registry.WithUserAgent("admissible/"+version))
	chain, err := mirrors.New(c.Mirrors, client)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return chain, nil
}

// engine builds the judging engine from the configuration.
func (c config) engine(endpointTimeout time.Duration) (*judge.Engine, error) {
	r, err := c.resolver(endpointTimeout)
	if err != nil {
		return nil, err
	}
	return judge.NewEngine(r), nil
}
