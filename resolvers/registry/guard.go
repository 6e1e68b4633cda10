package registry

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// metadataNames are host names of cloud instance metadata services, refused
// before any DNS lookup.
var metadataNames = []string{"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"}

// metadataAddrs are instance metadata addresses: GCP, AWS and Azure
// (169.254.169.254), AWS ECS tasks, Alibaba Cloud, AWS over IPv6.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("169.254.170.2"),
	netip.MustParseAddr("100.100.100.200"),
	netip.MustParseAddr("fd00:ec2::254"),
}

// kindMetadata is how a refused metadata address is named.
const kindMetadata = "a cloud metadata address"

var (
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	sharedCGNAT = netip.MustParsePrefix("100.64.0.0/10")
)

// guard decides which addresses a lookup on an endpoint that is not Trusted
// may reach. It checks at dial time, after DNS, so that every connection
// counts: the endpoint's, its token service's, every redirect's.
type guard struct {
	allowed      []netip.Prefix
	allowPrivate bool
	resolver     *net.Resolver

	// proxies are the proxy addresses (host:port) the transport chose: the
	// operator's, dialed as they are.
	proxies sync.Map
}

// refusal says why addr may not be contacted, "" when it may.
func (g *guard) refusal(addr netip.Addr) string {
	addr = addr.WithZone("").Unmap()
	if slices.Contains(metadataAddrs, addr) {
		// No allowed network opens these to image references.
		return kindMetadata
	}
	for _, p := range g.allowed {
		if p.Contains(addr) {
			return ""
		}
	}
	switch {
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast():
		return "a link-local address"
	case addr.IsUnspecified() || thisNetwork.Contains(addr):
		return "an unspecified address"
	case (addr.IsPrivate() || sharedCGNAT.Contains(addr)) && !g.allowPrivate:
		return "a private address"
	}
	return ""
}

// checkName refuses metadata host names and refused IP literals, without
// DNS: with a trailing dot too, and the IPv4 spellings some resolvers accept
// (2130706433, 0x7f.1, 0177.0.0.1, 127.1).
func (g *guard) checkName(host string) error {
	bare := strings.TrimSuffix(host, ".")
	if slices.Contains(metadataNames, strings.ToLower(bare)) {
		return &refusedError{host: host, kind: "a cloud metadata host name"}
	}
	if addr, err := netip.ParseAddr(bare); err == nil {
		if kind := g.refusal(addr); kind != "" {
			return &refusedError{host: host, addr: addr.WithZone("").Unmap(), kind: kind, resolved: bare != host}
		}
	}
	if addr, ok := legacyIPv4(bare); ok {
		if kind := g.refusal(addr); kind != "" {
			return &refusedError{host: host, addr: addr, kind: kind, resolved: true}
		}
	}
	return nil
}

// legacyIPv4 reads the IPv4 spellings of inet_aton other than the dotted
// quad: one to four parts, each decimal, octal (leading 0) or hexadecimal
// (0x), the last filling the remaining bytes.
func legacyIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 0, 32)
		if p == "" || err != nil || strings.ContainsAny(p, "_+-") {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 0xff {
				return netip.Addr{}, false
			}
			v = v<<8 | n
			continue
		}
		rest := 8 * (4 - len(parts) + 1)
		if rest < 32 && n >= 1<<rest {
			return netip.Addr{}, false
		}
		v = v<<rest | n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// resolve returns the addresses of host that may be contacted, or why none.
func (g *guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if err := g.checkName(host); err != nil {
		return nil, err
	}
	if addr, err := netip.ParseAddr(strings.TrimSuffix(host, ".")); err == nil {
		return []netip.Addr{addr}, nil
	}
	addrs, err := g.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	var ok []netip.Addr
	var refused error
	for _, a := range addrs {
		if kind := g.refusal(a); kind != "" {
			if refused == nil {
				refused = &refusedError{host: host, addr: a.WithZone("").Unmap(), kind: kind, resolved: true}
			}
			continue
		}
		ok = append(ok, a)
	}
	if len(ok) == 0 {
		if refused == nil {
			refused = &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		return nil, refused
	}
	return ok, nil
}

type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// dial resolves and checks the host of address, then dials the addresses
// that passed, in order, through base. Proxies are dialed as they are.
func (g *guard) dial(base dialFunc) dialFunc {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		if _, ok := g.proxies.Load(address); ok {
			return base(ctx, network, address)
		}
		host, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		addrs, err := g.resolve(ctx, host)
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			var conn net.Conn
			if conn, err = base(ctx, network, net.JoinHostPort(a.String(), port)); err == nil {
				return conn, nil
			}
		}
		return nil, err
	}
}

// wrap returns base guarded. An *http.Transport is cloned with its dialer
// checking every address; any other RoundTripper gets each request's host
// resolved and checked before the request.
func (g *guard) wrap(base http.RoundTripper) http.RoundTripper {
	t, ok := base.(*http.Transport)
	if !ok {
		return &guardedTransport{guard: g, next: base, resolve: true}
	}
	t = t.Clone()
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		//nolint:staticcheck // SA1019: a base transport with only the deprecated Dial set is honoured, not bypassed.
		if d := t.Dial; d != nil {
			dial = func(_ context.Context, network, address string) (net.Conn, error) { return d(network, address) }
		}
	}
	t.DialContext, t.Dial = g.dial(dial), nil //nolint:staticcheck // SA1019: cleared so the guarded DialContext is the only dialer.
	if tlsDial := t.DialTLSContext; tlsDial != nil {
		// A custom TLS dialer needs the host name: check, then dial it.
		t.DialTLSContext = func(ctx context.Context, network, address string) (net.Conn, error) {
			if host, _, err := net.SplitHostPort(address); err == nil {
				if _, err := g.resolve(ctx, host); err != nil {
					return nil, err
				}
			}
			return tlsDial(ctx, network, address)
		}
	}
	if proxy := t.Proxy; proxy != nil {
		t.Proxy = func(req *http.Request) (*url.URL, error) {
			u, err := proxy(req)
			if u != nil {
				g.proxies.Store(proxyAddress(u), struct{}{})
			}
			return u, err
		}
	}
	return &guardedTransport{guard: g, next: t}
}

// proxyAddress is the host:port a transport dials for proxy u.
func proxyAddress(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[u.Scheme]
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// guardedTransport refuses metadata names and refused IP literals before a
// request: behind a proxy the dialer sees only the proxy. With resolve, it
// also resolves and checks host names, for transports whose dialer it cannot
// guard.
type guardedTransport struct {
	guard   *guard
	next    http.RoundTripper
	resolve bool
}

func (t *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var err error
	if t.resolve {
		_, err = t.guard.resolve(req.Context(), req.URL.Hostname())
	} else {
		err = t.guard.checkName(req.URL.Hostname())
	}
	if err != nil {
		closeBody(req)
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// refusedError is a host the Client would not contact.
type refusedError struct {
	host     string
	addr     netip.Addr // invalid for a refused name
	kind     string     // "a loopback address"
	resolved bool       // host is a name that resolved to addr
}

func (e *refusedError) Error() string {
	if !e.addr.IsValid() {
		return fmt.Sprintf("%s is %s", e.host, e.kind)
	}
	what := e.host + " is " + e.kind
	if e.resolved {
		what = fmt.Sprintf("%s resolves to %s, %s", e.host, e.addr, e.kind)
	}
	if e.kind == kindMetadata {
		// Never worth allowing for an image reference.
		return what
	}
	allow := netip.PrefixFrom(e.addr, e.addr.BitLen()).String()
	if e.kind == "a private address" {
		allow = "private networks or " + allow
	}
	return fmt.Sprintf("%s (allow %s, or make it a mirror endpoint)", what, allow)
}
