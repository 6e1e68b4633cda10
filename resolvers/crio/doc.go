// Package crio looks images up where a CRI-O node pulls them from: the
// registries.conf files of the node, read by containers/image's own
// pkg/sysregistriesv2 (never parsed here), the pull sources it derives, and
// the candidates of a short name.
//
// # Configuration
//
// New reads only the files it is given: WithRegistriesConf (the node's
// /etc/containers/registries.conf) and WithRegistriesConfDir (its
// registries.conf.d). Either may be left out, not both; a named file or
// directory that does not exist is an error that names it. Nothing is read
// from /etc/containers or $HOME of the machine admissible runs on, nor from
// CONTAINERS_REGISTRIES_CONF: the paths left out point where nothing can
// exist. The short-name aliases CRI-O records by itself are not read (CRI-O
// records none without a terminal). New reads the files and reports their
// errors; lookups then use what containers/image remembers for these paths
// (one copy per pair of paths in the process), which the next New with the
// same paths reads again: make a new Resolver when the files change.
//
// WithShortNameMode is the nodes' crio.conf short_name_mode: Enforcing (the
// default, CRI-O's since 1.34) or Disabled (OpenShift's). CRI-O sets it on
// every pull, so the short-name-mode key of registries.conf is ignored.
//
// # Sources
//
// For a reference, the registries.conf entry with the longest matching
// prefix (a registry, a namespace, a repository, or "*.domain") gives the
// pull sources in order (sysregistriesv2.PullSourcesFromReference): its
// mirrors that apply to a pull by tag or by digest (mirror-by-digest-only,
// pull-from-mirror all, digest-only or tag-only), then the entry's own
// location, each with the prefix replaced by its location. A source is
// blocked when the entry matching its own rewritten reference is blocked;
// it is listed, not asked. An insecure source is asked without verifying
// certificates, and over plain http when https gives no HTTP answer, as
// containers/image pings. A pod's pull secret goes only to sources on the
// reference's own registry (containers/image drops it for the others); the
// Lookuper's credentials (the node's docker config) go everywhere. A source
// with namespace-proxy is not asked: CRI-O adds an ns= parameter that
// admissible cannot send.
//
// Endpoints are Trusted (the registry client's address checks do not apply)
// when registries.conf, not the pod, chose their host: a mirror, a location
// on another host, any source of a short name's candidate.
//
// # Verdicts
//
// CRI-O tries the sources in order and takes the first whose manifest GET
// succeeds; any failure moves it to the next. A manifest ends the walk
// (Found); an answer that is not a manifest ends it too, and the pull
// fails (Undetermined). When every source fails:
//
//   - NotFound when every source asked answered NotFound or is blocked, or
//     when the registry's own location, asked last, answered NotFound
//     whatever the mirrors before it said (the registry is authoritative,
//     as the containerd walk decides).
//   - Undetermined otherwise: a source that failed otherwise, a
//     namespace-proxy source, a blocked registry whose mirrors did not
//     answer NotFound.
//
// A source that did not answer in time (registry.NoAnswer) makes a later
// Found Undetermined: CRI-O sets no limit on how long it waits for an
// answer, so its pull may hang there.
//
// Result.Refused is set, with the verdict NotFound, when the configuration
// alone refuses the reference: every source blocked; a short name with
// several candidates in mode Enforcing ("short name mode is enforcing, but
// image name ... returns ambiguous list", CRI-O's words); a short name with
// no alias and no unqualified-search registries. Each Attempt names the
// repository asked (Attempt.Repository), which registries.conf may have
// rewritten.
//
// # Short names
//
// A reference is a short name when Query.Written names no registry
// ("nginx", "team/app:v1"); without Written, Query.Ref is pulled as it is.
// containers/image's pkg/shortnames resolves it, always called in mode
// disabled, which never prompts: an alias of registries.conf or its
// drop-ins is the one candidate; otherwise each unqualified-search registry
// in order. In mode Enforcing, more than one candidate is refused, which
// the library would prompt for on a terminal; in mode Disabled the
// candidates are tried in order and the first found wins
// (Result.Reference), as CRI-O's pull loop does. The verdict is NotFound
// only when every candidate's is.
//
// # OpenShift
//
// MirrorSet and RegistriesConf render the registries.conf the
// machine-config operator writes on OpenShift nodes from
// ImageDigestMirrorSets (digest-only mirrors), ImageTagMirrorSets
// (tag-only mirrors) and ImageContentSourcePolicies (digest-only mirrors),
// NeverContactSource blocking the source.
package crio
