package credentials

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseAndMatch(t *testing.T) {
	cfg := `{"auths": {
		"harbor.example": {"auth": "` + b64("robot:secret") + `"},
		"https://index.docker.io/v1/": {"username": "hub", "password": "pw"},
		"*.corp.example": {"username": "corp", "password": "pw"},
		"registry.local:5000": {"username": "local", "password": "pw"}
	}}`
	s, err := Parse([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		host string
		user string // "" means no credential
	}{
		"exact host":                         {host: "harbor.example", user: "robot"},
		"not sent to another host":           {host: "harbor.example.evil.com"},
		"not sent to a subdomain":            {host: "x.harbor.example"},
		"docker hub by ggcr's name":          {host: "index.docker.io", user: "hub"},
		"docker hub by containerd's name":    {host: "registry-1.docker.io", user: "hub"},
		"docker hub short":                   {host: "docker.io", user: "hub"},
		"glob matches one label":             {host: "a.corp.example", user: "corp"},
		"glob does not match two labels":     {host: "a.b.corp.example"},
		"port must match":                    {host: "registry.local:5000", user: "local"},
		"no port is another host":            {host: "registry.local"},
		"other port is another host":         {host: "registry.local:5001"},
		"host case is ignored":               {host: "HARBOR.example", user: "robot"},
		"a mirror endpoint gets its own key": {host: "quay.io"},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			ac, ok := s.For(tc.host)
			if ok != (tc.user != "") || ac.Username != tc.user {
				t.Errorf("For(%q) = %q, %v; want %q", tc.host, ac.Username, ok, tc.user)
			}
		})
	}
}

func TestLegacyDockercfg(t *testing.T) {
	s, err := Parse([]byte(`{"quay.io": {"auth": "` + b64("q:pw") + `"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if ac, ok := s.For("quay.io"); !ok || ac.Username != "q" || ac.Password != "pw" {
		t.Errorf("legacy entry: got %+v %v", ac, ok)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"not json":        `{`,
		"auth not base64": `{"auths": {"h": {"auth": "%%%"}}}`,
		"auth no colon":   `{"auths": {"h": {"auth": "` + b64("nocolon") + `"}}}`,
		"wrong shape":     `[1,2]`,
	}
	for n, data := range cases {
		t.Run(n, func(t *testing.T) {
			if _, err := Parse([]byte(data)); err == nil {
				t.Errorf("Parse(%s) succeeded", data)
			}
		})
	}
}

func TestAppendOrderAndFingerprint(t *testing.T) {
	a, _ := Parse([]byte(`{"auths": {"h.example": {"username": "first", "password": "1"}}}`))
	b, _ := Parse([]byte(`{"auths": {"h.example": {"username": "second", "password": "2"}}}`))
	if ac, _ := a.Append(b).For("h.example"); ac.Username != "first" {
		t.Errorf("earlier secret should win, got %q", ac.Username)
	}
	if ac, _ := b.Append(a).For("h.example"); ac.Username != "second" {
		t.Errorf("earlier secret should win, got %q", ac.Username)
	}
	if (Set{}).Fingerprint() != "" {
		t.Error("empty set has a fingerprint")
	}
	if a.Fingerprint() == b.Fingerprint() || a.Fingerprint() == "" {
		t.Errorf("fingerprints %q and %q should differ", a.Fingerprint(), b.Fingerprint())
	}
	a2, _ := Parse([]byte(`{"auths": {"h.example": {"username": "first", "password": "1"}}}`))
	if a.Fingerprint() != a2.Fingerprint() {
		t.Error("equal sets have different fingerprints")
	}
}

func TestKeychain(t *testing.T) {
	s, _ := Parse([]byte(`{"auths": {"harbor.example": {"username": "u", "password": "p"}}}`))
	kc := s.Keychain()
	for host, want := range map[string]*authn.AuthConfig{
		"harbor.example": {Username: "u", Password: "p"},
		"quay.io":        {},
	} {
		reg, err := name.NewRegistry(host)
		if err != nil {
			t.Fatal(err)
		}
		a, err := kc.Resolve(reg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.Authorization()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", host, diff)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "config.json")
	if err := os.WriteFile(f, []byte(`{"auths": {"a.example": {"username": "u", "password": "p"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(f)
	if err != nil || s.Empty() {
		t.Fatalf("LoadFile: %v, empty %v", err, s.Empty())
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("LoadFile of a missing file succeeded")
	}
}
