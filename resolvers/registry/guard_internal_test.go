package registry

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGuardRefusal checks which addresses an endpoint that is not Trusted
// may reach.
func TestGuardRefusal(t *testing.T) {
	tests := map[string]struct {
		addr         string
		allowed      []string
		allowPrivate bool
		// want is the kind of address refused, "" when it may be contacted.
		want string
	}{
		"public IPv4":                          {addr: "142.250.74.46"},
		"public IPv6":                          {addr: "2a00:1450:4001:82b::200e"},
		"loopback":                             {addr: "127.0.0.1", want: "a loopback address"},
		"loopback elsewhere in 127/8":          {addr: "127.1.2.3", want: "a loopback address"},
		"IPv6 loopback":                        {addr: "::1", want: "a loopback address"},
		"IPv4-mapped loopback":                 {addr: "::ffff:127.0.0.1", want: "a loopback address"},
		"link-local":                           {addr: "169.254.10.1", want: "a link-local address"},
		"IPv6 link-local":                      {addr: "fe80::1", want: "a link-local address"},
		"IPv6 link-local with a zone":          {addr: "fe80::1%eth0", want: "a link-local address"},
		"metadata":                             {addr: "169.254.169.254", want: "a cloud metadata address"},
		"ECS task metadata":                    {addr: "169.254.170.2", want: "a cloud metadata address"},
		"Alibaba metadata":                     {addr: "100.100.100.200", want: "a cloud metadata address"},
		"AWS IPv6 metadata":                    {addr: "fd00:ec2::254", want: "a cloud metadata address"},
		"AWS IPv6 metadata, private allowed":   {addr: "fd00:ec2::254", allowPrivate: true, want: "a cloud metadata address"},
		"unspecified":                          {addr: "0.0.0.0", want: "an unspecified address"},
		"this network":                         {addr: "0.1.2.3", want: "an unspecified address"},
		"IPv6 unspecified":                     {addr: "::", want: "an unspecified address"},
		"10/8":                                 {addr: "10.1.2.3", want: "a private address"},
		"172.16/12":                            {addr: "172.31.255.1", want: "a private address"},
		"just outside 172.16/12":               {addr: "172.32.0.1"},
		"192.168/16":                           {addr: "192.168.1.1", want: "a private address"},
		"unique local":                         {addr: "fd12:3456::1", want: "a private address"},
		"carrier-grade NAT":                    {addr: "100.64.0.1", want: "a private address"},
		"private allowed":                      {addr: "10.1.2.3", allowPrivate: true},
		"carrier-grade NAT, private allowed":   {addr: "100.127.255.254", allowPrivate: true},
		"loopback, private allowed":            {addr: "127.0.0.1", allowPrivate: true, want: "a loopback address"},
		"link-local, private allowed":          {addr: "169.254.10.1", allowPrivate: true, want: "a link-local address"},
		"allowed network":                      {addr: "127.0.0.1", allowed: []string{"127.0.0.0/8"}},
		"allowed network, IPv4-mapped":         {addr: "::ffff:127.0.0.1", allowed: []string{"127.0.0.0/8"}},
		"metadata, even in an allowed network": {addr: "169.254.169.254", allowed: []string{"169.254.0.0/16"}, want: "a cloud metadata address"},
		"link-local in an allowed network":     {addr: "169.254.10.1", allowed: []string{"169.254.0.0/16"}},
		"outside the allowed network":          {addr: "127.0.0.2", allowed: []string{"127.0.0.1/32"}, want: "a loopback address"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g := &guard{allowPrivate: tc.allowPrivate}
			for _, p := range tc.allowed {
				g.allowed = append(g.allowed, netip.MustParsePrefix(p))
			}
			if diff := cmp.Diff(tc.want, g.refusal(netip.MustParseAddr(tc.addr))); diff != "" {
				t.Errorf("refusal(%s) mismatch (-want +got):\n%s", tc.addr, diff)
			}
		})
	}
}
