package registry

import (
	"net/netip"
	"testing"
)

func TestSameSite(t *testing.T) {
	tests := map[string]struct {
		registry, other string
		want            bool
	}{
		"same host":                  {"quay.io", "quay.io", true},
		"Docker Hub's token service": {"registry-1.docker.io", "auth.docker.io", true},
		"GitLab's token service":     {"registry.gitlab.com", "gitlab.com", true},
		"a CDN":                      {"registry.k8s.io", "us-docker.pkg.dev", false},
		"another port":               {"harbor.example:5000", "harbor.example:5001", false},
		"another port of an address": {"127.0.0.1:5000", "127.0.0.1:5001", false},
		"a name for an address":      {"127.0.0.1:5000", "localhost:5000", false},
		"a sibling of a 2-label":     {"quay.io", "evil.io", false},
		"a top-level domain":         {"a.io", "b.io", false},
		"trailing dot and case":      {"Quay.io.", "quay.io", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := sameSite(tc.registry, tc.other); got != tc.want {
				t.Errorf("sameSite(%q, %q) = %t, want %t", tc.registry, tc.other, got, tc.want)
			}
		})
	}
}

func TestLegacyIPv4(t *testing.T) {
	tests := map[string]string{
		"2130706433": "127.0.0.1", "0x7f000001": "127.0.0.1", "127.1": "127.0.0.1", "0177.0.0.1": "127.0.0.1",
		"10.1": "10.0.0.1", "0xa9.0xfe.0xa9.0xfe": "169.254.169.254", "169.254.43518": "169.254.169.254",
		"registry.example": "", "1.2.3.4.5": "", "256.1": "", "1_0": "", "": "", "4294967296": "", "1.16777216": "",
	}
	for in, want := range tests {
		got, ok := legacyIPv4(in)
		if (want == "") != !ok || (ok && got != netip.MustParseAddr(want)) {
			t.Errorf("legacyIPv4(%q) = %v, %t; want %q", in, got, ok, want)
		}
	}
}
