package credentials

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/admissible/admissible/resolvers/dockerhub"
)

// entry is one credential and the host pattern it is for.
type entry struct {
	pattern string
	auth    authn.AuthConfig
}

// Set is an ordered list of credentials. The zero Set is anonymous.
type Set struct {
	entries []entry
}

// dockerConfig is the shape of .dockerconfigjson and ~/.docker/config.json.
type dockerConfig struct {
	Auths map[string]dockerAuth `json:"auths"`
}

type dockerAuth struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	Auth          string `json:"auth,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
	RegistryToken string `json:"registrytoken,omitempty"`
}

// Parse reads a docker config: {"auths": {host: {...}}} or the legacy
// .dockercfg shape {host: {...}}.
func Parse(data []byte) (Set, error) {
	var cfg dockerConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return Set{}, fmt.Errorf("docker config: %w", err)
	}
	auths := cfg.Auths
	if auths == nil {
		if err := json.Unmarshal(data, &auths); err != nil {
			return Set{}, fmt.Errorf("docker config: %w", err)
		}
	}
	var s Set
	for key, a := range auths {
		ac, err := a.authConfig()
		if err != nil {
			return Set{}, fmt.Errorf("docker config entry %q: %w", key, err)
		}
		s.entries = append(s.entries, entry{pattern: normalize(key), auth: ac})
	}
	s.sortEntries()
	return s, nil
}

// LoadFile reads a docker config file.
func LoadFile(file string) (Set, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return Set{}, err
	}
	s, err := Parse(data)
	if err != nil {
		return Set{}, fmt.Errorf("%s: %w", file, err)
	}
	return s, nil
}

func (a dockerAuth) authConfig() (authn.AuthConfig, error) {
	ac := authn.AuthConfig{Username: a.Username, Password: a.Password, IdentityToken: a.IdentityToken, RegistryToken: a.RegistryToken}
	if a.Auth != "" {
		raw, err := base64.StdEncoding.DecodeString(a.Auth)
		if err != nil {
			return ac, fmt.Errorf("auth is not base64: %w", err)
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if !ok {
			return ac, fmt.Errorf("auth is not user:password")
		}
		ac.Username, ac.Password = user, pass
	}
	return ac, nil
}

// sortEntries orders one config's entries by pattern: JSON objects have no
// order, and a deterministic one keeps fingerprints stable.
func (s *Set) sortEntries() {
	es := s.entries
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].pattern < es[j-1].pattern; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// Append returns s followed by the credentials of others; earlier ones win.
func (s Set) Append(others ...Set) Set {
	out := Set{entries: append([]entry(nil), s.entries...)}
	for _, o := range others {
		out.entries = append(out.entries, o.entries...)
	}
	return out
}

// Empty reports whether s holds no credentials.
func (s Set) Empty() bool { return len(s.entries) == 0 }

// Fingerprint identifies the credentials of s; "" for the empty set.
func (s Set) Fingerprint() string {
	if s.Empty() {
		return ""
	}
	h := sha256.New()
	for _, e := range s.entries {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\n", e.pattern, e.auth.Username, e.auth.Password, e.auth.IdentityToken, e.auth.RegistryToken)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// For returns the credential for a registry host, if any.
func (s Set) For(host string) (authn.AuthConfig, bool) {
	host = normalize(host)
	for _, e := range s.entries {
		if matches(e.pattern, host) {
			return e.auth, true
		}
	}
	return authn.AuthConfig{}, false
}

// Keychain returns s as a go-containerregistry Keychain: anonymous for hosts
// it has no credential for.
func (s Set) Keychain() authn.Keychain { return keychain{s} }

type keychain struct{ s Set }

func (k keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if ac, ok := k.s.For(r.RegistryStr()); ok {
		return authn.FromConfig(ac), nil
	}
	return authn.Anonymous, nil
}

// normalize reduces a config key or host to host[:port], with Docker Hub's
// names folded into "docker.io".
func normalize(key string) string {
	host := key
	if strings.Contains(host, "://") {
		if u, err := url.Parse(host); err == nil {
			host = u.Host
		}
	}
	host, _, _ = strings.Cut(host, "/")
	return dockerhub.Canonical(strings.ToLower(host))
}

// matches applies the kubelet's rule: same number of DNS labels, each
// label a glob; ports must be equal.
func matches(pattern, host string) bool {
	pHost, pPort := splitPort(pattern)
	hHost, hPort := splitPort(host)
	if pPort != hPort {
		return false
	}
	pl, hl := strings.Split(pHost, "."), strings.Split(hHost, ".")
	if len(pl) != len(hl) {
		return false
	}
	for i := range pl {
		if ok, err := path.Match(pl[i], hl[i]); err != nil || !ok {
			return false
		}
	}
	return true
}

func splitPort(h string) (string, string) {
	if i := strings.LastIndex(h, ":"); i >= 0 && !strings.Contains(h[i:], "]") {
		return h[:i], h[i+1:]
	}
	return h, ""
}
