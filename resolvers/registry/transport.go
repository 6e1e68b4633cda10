package registry

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/admissible/admissible/resolvers"
)

// maxRealms bounds the token services remembered per endpoint.
const maxRealms = 8

// endpointTransport is the innermost transport of an endpoint's puller; every
// request of a lookup (ping, token, HEAD, redirects) passes through it.
//
// It sends registry API requests for the endpoint's host to the endpoint's
// scheme and path: "/v2/<rest>" becomes "<endpoint path>/<rest>". Requests to
// other hosts (token services, redirects) pass unchanged. It refuses hosts in
// their Retry-After period, waits for a free slot to the host, tells the
// observer, and records in the lookup's observation what came back.
type endpointTransport struct {
	endpoint resolvers.Endpoint
	next     http.RoundTripper
	hosts    *hostTable
	observer Observer
	// pings remembers the endpoint's answer to the /v2/ ping.
	pings *pings

	mu sync.Mutex
	// realms are the token services named by this endpoint's Bearer
	// challenges, as host and path.
	realms []string
	// plainHTTP: an HTTPFallback endpoint answered https in plain HTTP.
	plainHTTP bool
}

func (t *endpointTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ping := false
	if req.URL.Host == t.endpoint.Host {
		if rest, ok := strings.CutPrefix(req.URL.Path, "/v2"); ok && (rest == "" || rest[0] == '/') {
			ping = req.Method == http.MethodGet && (rest == "" || rest == "/")
			req = req.Clone(req.Context())
			req.URL.Scheme = t.endpoint.Scheme
			req.URL.Path = t.endpoint.Path + rest
			req.URL.RawPath = ""
			t.mu.Lock()
			if t.plainHTTP {
				req.URL.Scheme = "http"
			}
			t.mu.Unlock()
			for line := range strings.Lines(t.endpoint.Header) {
				k, v, _ := strings.Cut(strings.TrimSuffix(line, "\n"), ": ")
				req.Header.Add(k, v)
			}
		}
	}
	if ping {
		return t.pings.do(req, t.ping)
	}
	return t.exchange(req)
}

// ping sends the /v2/ ping; containerd never sends one, so no answer to it
// but a challenge (401) or a request to back off (429) decides anything.
func (t *endpointTransport) ping(req *http.Request) (*http.Response, error) {
	resp, err := t.exchange(req)
	if err == nil && resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusTooManyRequests {
		// Let go-containerregistry go on to the manifest, as if the
		// endpoint were open. (A 429 is kept: the host asked to be left
		// alone, and the manifest would get the same.)
		_ = resp.Body.Close()
		resp = &http.Response{
			Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Body: http.NoBody, Request: req,
		}
	}
	return resp, err
}

// exchange sends req, falling back to plain HTTP where containerd does.
func (t *endpointTransport) exchange(req *http.Request) (*http.Response, error) {
	resp, err := t.send(req)
	if err != nil && t.endpoint.HTTPFallback && req.URL.Host == t.endpoint.Host && req.URL.Scheme == "https" && isPlainHTTPAnswer(err) {
		// containerd's rule: https first, then http, for this host.
		t.mu.Lock()
		t.plainHTTP = true
		t.mu.Unlock()
		req = req.Clone(req.Context())
		req.URL.Scheme = "http"
		resp, err = t.send(req)
	}
	return resp, err
}

// isPlainHTTPAnswer reports whether err is a TLS handshake that got an HTTP
// answer.
func isPlainHTTPAnswer(err error) bool {
	var rhe tls.RecordHeaderError
	return errors.As(err, &rhe) && string(rhe.RecordHeader[:]) == "HTTP/"
}

// send sends one request to its host, within the host's bounds.
func (t *endpointTransport) send(req *http.Request) (*http.Response, error) {
	host := req.URL.Host
	if host != t.endpoint.Host && req.Header.Get("Authorization") != "" && !sameSite(t.endpoint.Host, host) {
		// A redirect or a token service elsewhere: the endpoint's
		// credentials stay with it.
		req = req.Clone(req.Context())
		req.Header.Del("Authorization")
	}
	if until, ok := t.hosts.limitedUntil(host); ok {
		closeBody(req)
		return nil, &rateLimitedError{host: host, until: until}
	}
	release, err := t.hosts.acquire(req.Context(), host)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	t.record(req, resp, err)
	if err != nil {
		release()
		return nil, err
	}
	// The request is in flight until its body is closed; the end of the
	// lookup frees the slot in any case.
	stop := context.AfterFunc(req.Context(), release)
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: func() { stop(); release() }}
	if limit := bodyLimitFrom(req.Context()); limit > 0 {
		if resp.ContentLength > limit {
			_ = resp.Body.Close()
			return nil, &tooLargeError{host: host, limit: limit, size: resp.ContentLength}
		}
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: limit, err: &tooLargeError{host: host, limit: limit, size: -1}}
	}
	return resp, nil
}

// record tells the observer and the lookup's observation about one exchange,
// and remembers what the host asked for.
func (t *endpointTransport) record(req *http.Request, resp *http.Response, err error) {
	var refused *refusedError
	if t.observer != nil && !errors.As(err, &refused) {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.observer.Request(req.URL.Host, req.Method, status)
	}
	if err != nil {
		return
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		t.hosts.backOff(req.URL.Host, resp.Header.Get("Retry-After"))
	case http.StatusUnauthorized:
		t.rememberRealms(resp.Header.Values("WWW-Authenticate"))
	}
	o := observationFrom(req.Context())
	if o == nil {
		return
	}
	switch {
	case req.Method == http.MethodHead || (req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/manifests/")):
		o.head(resp, strings.HasPrefix(req.Header.Get("Authorization"), "Bearer "))
	case resp.StatusCode == http.StatusOK && t.isRealm(req.URL):
		o.token()
	}
}

// rememberRealms keeps the token services of Bearer challenges.
func (t *endpointTransport) rememberRealms(challenges []string) {
	for _, c := range challenges {
		realm := bearerRealm(c)
		if realm == "" {
			continue
		}
		u, err := url.Parse(realm)
		if err != nil {
			continue
		}
		key := u.Host + u.Path
		t.mu.Lock()
		if !slices.Contains(t.realms, key) && len(t.realms) < maxRealms {
			t.realms = append(t.realms, key)
		}
		t.mu.Unlock()
	}
}

func (t *endpointTransport) isRealm(u *url.URL) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Contains(t.realms, u.Host+u.Path)
}

// sameSite reports whether credentials for registry host a may go to host b
// (both host[:port]): same port, both names (not addresses), and b is a's
// parent domain or shares it, as Docker Hub's registry-1.docker.io and its
// token service auth.docker.io, or registry.gitlab.com and gitlab.com.
func sameSite(a, b string) bool {
	ah, ap := splitHostPort(a)
	bh, bp := splitHostPort(b)
	ah, bh = strings.ToLower(strings.TrimSuffix(ah, ".")), strings.ToLower(strings.TrimSuffix(bh, "."))
	if ap != bp {
		return false
	}
	if ah == bh {
		return true
	}
	if _, err := netip.ParseAddr(ah); err == nil {
		return false
	}
	if _, err := netip.ParseAddr(bh); err == nil {
		return false
	}
	parent := func(h string) string {
		if _, p, ok := strings.Cut(h, "."); ok && strings.Contains(p, ".") {
			return p
		}
		return h
	}
	site := parent(ah)
	return strings.Contains(site, ".") && (bh == site || parent(bh) == site)
}

// splitHostPort splits host[:port]; a missing port is "".
func splitHostPort(hostport string) (string, string) {
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		return h, p
	}
	return strings.Trim(hostport, "[]"), ""
}

// bearerRealm returns the realm of a Bearer challenge, "" for anything else:
// `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"`.
func bearerRealm(challenge string) string {
	scheme, params, _ := strings.Cut(strings.TrimSpace(challenge), " ")
	if !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	for p := range strings.SplitSeq(params, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(k, "realm") {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// closeBody closes the body of a request that is not sent, as a
// RoundTripper must.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// releasingBody frees a host slot when the response body is closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// limitedBody fails a read past its bound, rather than truncating.
type limitedBody struct {
	io.ReadCloser
	left int64
	err  error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more is too much; none is the end.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, b.err
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

type bodyLimitKey struct{}

// withBodyLimit returns a context whose answers may carry at most limit
// bytes each.
func withBodyLimit(ctx context.Context, limit int64) context.Context {
	return context.WithValue(ctx, bodyLimitKey{}, limit)
}

func bodyLimitFrom(ctx context.Context) int64 {
	limit, _ := ctx.Value(bodyLimitKey{}).(int64)
	return limit
}

// observation holds what one lookup saw of its exchanges, which
// go-containerregistry does not expose: the raw answer to the manifest HEAD
// (also when it rejects a 2xx), and whether that HEAD carried a token the
// endpoint issued during the lookup.
type observation struct {
	mu          sync.Mutex
	seq         int // exchanges recorded so far
	status      int
	contentType string
	headSeq     int  // seq of the last HEAD
	headBearer  bool // the last HEAD carried a Bearer token
	tokenSeq    int  // seq of the last token issued, 0 for none
}

func (o *observation) head(resp *http.Response, bearer bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	o.status = resp.StatusCode
	o.contentType = resp.Header.Get("Content-Type")
	o.headSeq = o.seq
	o.headBearer = bearer
}

func (o *observation) token() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	o.tokenSeq = o.seq
}

func (o *observation) get() (int, string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.status, o.contentType
}

// pullToken reports whether the last HEAD was sent with a Bearer token after
// the endpoint's token service issued one in this lookup.
func (o *observation) pullToken() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.headBearer && o.tokenSeq > 0 && o.tokenSeq < o.headSeq
}

type observationKey struct{}

// observe returns a context whose exchanges are recorded.
func observe(ctx context.Context) (context.Context, *observation) {
	o := &observation{}
	return context.WithValue(ctx, observationKey{}, o), o
}

func observationFrom(ctx context.Context) *observation {
	o, _ := ctx.Value(observationKey{}).(*observation)
	return o
}
