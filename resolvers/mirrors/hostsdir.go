package mirrors

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"github.com/admissible/admissible/resolvers"
)

// hostsFile is the part of containerd's hosts.toml that decides where a
// node pulls from. TLS settings, headers and capabilities are not read.
type hostsFile struct {
	Server string               `toml:"server"`
	Host   map[string]hostEntry `toml:"host"`
}

type hostEntry struct {
	OverridePath bool `toml:"override_path"`
}

// defaultDir is containerd's directory for registries without their own.
const defaultDir = "_default"

// loadHostsDir reads DIR/<registry>/hosts.toml for every registry directory,
// keeping the order in which [host."..."] tables appear, as containerd tries
// them in that order.
func loadHostsDir(dir string) (map[string]route, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("containerd hosts directory: %w", err)
	}
	routes := map[string]route{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		file := filepath.Join(dir, e.Name(), "hosts.toml")
		r, err := loadHostsFile(file, e.Name())
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		reg := e.Name()
		if reg == defaultDir {
			reg = wildcard
		}
		routes[normalize(reg)] = r
	}
	return routes, nil
}

func loadHostsFile(file, registry string) (route, error) {
	var hf hostsFile
	md, err := toml.DecodeFile(file, &hf)
	if err != nil {
		return route{}, fmt.Errorf("%s: %w", file, err)
	}
	for _, k := range md.Undecoded() {
		if !knownKey(k) {
			return route{}, fmt.Errorf("%s: unknown key %q", file, k.String())
		}
	}
	var r route
	for _, url := range hostOrder(md) {
		ep, err := resolvers.ParseEndpoint(url, hf.Host[url].OverridePath)
		if err != nil {
			return route{}, fmt.Errorf("%s: host %q: %w", file, url, err)
		}
		ep.Trusted = true
		r.endpoints = append(r.endpoints, ep)
	}
	if hf.Server != "" {
		ep, err := resolvers.ParseEndpoint(hf.Server, false)
		if err != nil {
			return route{}, fmt.Errorf("%s: server: %w", file, err)
		}
		ep.Trusted = true
		r.server = &ep
	}
	if len(r.endpoints) == 0 && r.server == nil {
		return route{}, fmt.Errorf("%s: neither server nor [host] for %s", file, registry)
	}
	return r, nil
}

// hostOrder returns the [host."<url>"] table names in file order.
func hostOrder(md toml.MetaData) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range md.Keys() {
		if len(k) == 2 && k[0] == "host" && !seen[k[1]] {
			seen[k[1]] = true
			out = append(out, k[1])
		}
	}
	return out
}

// containerdKeys are the hosts.toml settings containerd knows, at the top
// level and in a [host] table. Those this reader does not use are accepted;
// anything else is a typo.
var containerdKeys = map[string]bool{
	"server": true, "capabilities": true, "ca": true, "client": true, "skip_verify": true,
	"header": true, "override_path": true, "dial_timeout": true,
}

// knownKey reports whether an undecoded key is a containerd setting (or
// inside one, like a header's name).
func knownKey(k toml.Key) bool {
	switch {
	case len(k) >= 1 && k[0] != "host":
		return containerdKeys[k[0]]
	case len(k) >= 3:
		return containerdKeys[k[2]]
	default:
		return true
	}
}
