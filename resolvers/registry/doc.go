// Package registry asks one endpoint whether it serves a manifest.
//
// A Client keeps one long-lived go-containerregistry Puller per endpoint, so
// after the first lookup of a repository (ping, token, HEAD) the steady-state
// cost is a single HEAD request. A lookup fetches a manifest with GET only
// when containerd would (see Answers); FetchManifest and FetchConfig GET
// content by digest for callers that need it (see Fetches).
//
// # Defaults
//
//   - No retries: an admission has no time for go-containerregistry's 1 s and
//     3 s backoff.
//   - 3 s per lookup on one endpoint (DefaultTimeout), token exchange and any
//     wait for a free slot included (WithTimeout).
//   - Anonymous credentials (WithKeychain).
//   - At most 16 requests in flight per host (DefaultHostConcurrency,
//     WithHostConcurrency). A request over the bound waits within its
//     lookup's time; one that runs out is Undetermined, "no answer within 3s:
//     16 requests to <host> in flight, none finished". Token services and
//     redirect targets are hosts too.
//   - A host that answers 429 (to the ping, the HEAD, a token request) is
//     left alone for its Retry-After, in seconds or as an HTTP date: 30 s
//     when absent or unreadable (DefaultRetryAfter), at most 10 min
//     (MaxRetryAfter). Until then a lookup on that host sends nothing and is
//     Undetermined at once: "rate limited by <host> until <RFC 3339 time>
//     (Retry-After)". An admission never waits for a Retry-After. The clock
//     is WithClock's.
//   - No observer (WithObserver): an Observer is told about every exchange.
//
// # Which hosts it contacts
//
// An Endpoint is Trusted when the operator configured it (a mirror); the
// Client then contacts it, and wherever it redirects, whatever the addresses.
//
// Other endpoints come from image references, which anyone allowed to create
// a pod writes. For them the Client checks every connection when it dials,
// after DNS: the endpoint's, its token service's and every redirect's. It
// refuses:
//
//   - always: the host names metadata, metadata.google.internal,
//     instance-data and instance-data.ec2.internal, before any DNS lookup,
//     and the cloud metadata addresses 169.254.169.254, 169.254.170.2,
//     100.100.100.200 and fd00:ec2::254;
//   - unless WithAllowedNetworks names them: loopback (127/8, ::1),
//     link-local (169.254/16, fe80::/10) and unspecified (0/8, ::) addresses;
//   - unless WithAllowPrivate or WithAllowedNetworks: private addresses
//     (10/8, 172.16/12, 192.168/16, fc00::/7 and the carrier-grade NAT range
//     100.64/10).
//
// A host name is dialed only on its addresses
// that pass; when none does, nothing is sent and the lookup is Undetermined:
// "not contacted: localhost resolves to 127.0.0.1, a loopback address
// (allow 127.0.0.1/32, or make it a mirror endpoint)". IPv4-mapped IPv6
// addresses count as the IPv4 address; so do the IPv4 spellings some
// resolvers accept (2130706433, 0x7f.1, 0177.0.0.1, 127.1) and a trailing
// dot, refused before any DNS lookup. Behind an HTTP proxy the proxy
// resolves host names: only the metadata names and IP literals are refused.
//
// Credentials go to the endpoint's own host and port only: a request of the
// lookup to another host (a redirect, a token service) loses its
// Authorization header, unless that host is a token service of the same
// site (auth.docker.io for registry-1.docker.io, gitlab.com for
// registry.gitlab.com; names only, same port).
//
// # Answers
//
// Answers are classified once, in classify.go, as containerd's resolver
// reads them: 2xx with a manifest is Found; 404 to the manifest request is
// NotFound; so is 401 to a HEAD that carried a token the endpoint's token
// service issued during the lookup ("401 Unauthorized with a pull token (no
// credentials): the repository does not exist, or these credentials may not
// pull it"), which is how Docker Hub and quay.io answer for a repository that
// does not exist. Any other 401, and 403, say "not allowed, or not found" with
// the credentials sent, and are Undetermined, like everything else. A 2xx
// that is not a manifest (an HTML page) ends a node's walk over mirrors, and
// is marked so.
//
// containerd never pings /v2/: an answer to go-containerregistry's ping other
// than 200, 401 or 429 is taken as an open registry, and the manifest request
// decides. A 405 to the HEAD, or a 2xx HEAD go-containerregistry cannot use
// (no Docker-Content-Digest), is asked again with GET, as containerd does;
// only then does a lookup count toward Docker Hub's pull limits. An endpoint
// with HTTPFallback is asked over https, then over http when it answers in
// plain HTTP; SkipVerify and Header apply to its requests.
//
// # Fetches
//
// FetchManifest and FetchConfig GET a manifest, or an image's config blob,
// by digest from one endpoint, for a caller that needs the content (which
// platforms an image serves). They go through the endpoint's puller, with
// the same credentials, host bounds, SSRF guard, Retry-After periods,
// observer and timeout as a lookup, without retries. A body is read up to
// MaxManifestSize (4 MiB) or MaxConfigSize (1 MiB): an answer that announces
// or carries more is an error, not a truncated body. Digests are checked.
// Every error is a *FetchError that names the endpoint and says what came
// back ("GET manifest sha256:... on mirror.internal: 404 Not Found
// (MANIFEST_UNKNOWN)"). A manifest GET counts toward Docker Hub's pull
// limits; a blob GET does not.
package registry
