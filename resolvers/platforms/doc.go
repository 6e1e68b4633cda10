// Package platforms tells which platforms an image found by a lookup serves,
// and whether a node's container runtime would pull it for the node's
// platform.
//
// # Reading
//
// A Reader takes a Found resolvers.Result (from the mirror walk, through the
// cache) and asks the endpoint that ended the walk, its last attempt, for
// the manifest with the Result's digest, with the query's credentials: the
// endpoint and credentials a node pulls with. It asks through a Fetcher,
// *registry.Client in production, so every request goes through the same
// guarded transport as the lookups (SSRF guard, host bounds, observer,
// 3 s per request, 4 MiB per manifest, 1 MiB per config).
//
//   - An image index or manifest list takes one GET. Its entries name the
//     platforms, listed as written, in index order. An entry without a
//     platform is read as containerd reads it, by the os, architecture,
//     variant and os.version of its config (a GET of its manifest and one of
//     its config, at most MaxUnplatformed such entries); those come last.
//   - A single image manifest takes two GETs: the manifest, then its config,
//     whose platform is the image's.
//   - Attestations, entries with platform unknown/unknown or the annotation
//     vnd.docker.reference.type: attestation-manifest, are counted, not
//     listed: no node runs them. Entries that are neither image manifests nor
//     indexes (artifacts) are skipped.
//
// The media type a manifest is read as is the one the lookup's answer
// announced (Result.MediaType), as containerd goes by it, else the
// Content-Type of the GET.
//
// Every input has an answer, never a panic: an error for a lookup that did
// not find a manifest (ErrNoManifest), a GET that fails (a
// *registry.FetchError: 404, 500, an HTML page, no answer in time, a body
// too large), malformed JSON, a body that is not what its media type says,
// a schema 1 manifest, an entry that is itself an index (not followed), and
// a config that names no os or no architecture. An error means the platforms
// are not known; the caller says so.
//
// # Defaults
//
//   - Answers are kept by digest, since the manifest behind a digest never
//     changes: 1000 digests (WithCacheSize, least recently used out), for
//     24 h (WithCacheTTL). Errors are not kept (WithErrorTTL).
//   - Concurrent callers for the same digest, endpoint and credentials share
//     one read (singleflight). It runs on a context detached from every
//     caller, bounded by 10 s (WithFetchTimeout); a caller whose context ends
//     first gets its context's error, and the read carries on for the next.
//   - The clock entries expire by is time.Now (WithClock).
//
// A manifest GET counts toward Docker Hub's pull limits, a HEAD does not: a
// cache miss costs one pull for an index, one for a single manifest, and
// one more per index entry without a platform.
//
// # Matching
//
// Match says what a node's runtime makes of what an image serves, with the
// runtime's own rules:
//
//   - Containerd: Exact is what the CRI plugin's default pull (transfer
//     service) takes: containerd's platforms.Ordered on the node's platform,
//     which normalizes (arm64 without variant is arm64/v8, aarch64 is arm64,
//     arm without variant is arm/v7, amd64/v1 is amd64) and, for Windows,
//     takes an entry without os.version or one whose build the node runs:
//     on a node from Windows Server 2022 (10.0.20348) on, any build from
//     20348 up to the node's; on an older node, its own build only.
//     Fallback is what only the local pull
//     (use_local_image_pull = true) takes, platforms.Only on the node's
//     platform: an older amd64 level and 386 on amd64, arm/v8 down to arm/v5
//     on arm64, an older arm variant on arm. On Windows containerd's local
//     pull is as exact as the default, so a Windows node has no Fallback.
//     Among several matches the first by containerd's order wins, then the
//     first listed. An entry without os is taken as the node's os, as
//     containerd normalizes a missing os to its own.
//   - CRIO: CRI-O pulls with containers/image (go.podman.io/image/v5,
//     internal/pkg/platform WantedPlatforms and MatchesPlatform), which
//     "matches exactly" in the sense that it never takes another
//     architecture: the same os and architecture, compared as written, and
//     the node's variant, an older one of the same architecture (arm v7
//     takes v6 and v5) or none. An arm64 node is v8, an arm node without a
//     variant v7, and an amd64 node asks for the baseline only, since CRI-O
//     does not ask containers/image to detect amd64 levels. os.version is not
//     looked at. CRI-O has no Fallback.
//
// Both runtimes sort an index's entries without a platform last and look
// at the first of them only, when no entry with a platform is the node's:
// Match does the same with Served.Unplatformed, in each of containerd's
// passes (so an exact entry without a platform wins over a fallback with
// one). containerd checks that entry's config; containers/image pulls it
// whatever its config says, and the container fails to start if it is
// another platform's. An entry without a platform that Served skipped as an
// artifact is not counted, where containerd would look at it first.
//
// A single image manifest is judged by its config's platform. Neither
// runtime checks it at pull; a container of the wrong platform fails to
// start (exec format error).
//
// # Platform strings
//
// Parse and Format use containerd's syntax (platforms.FormatAll), which ctr
// and nerdctl also accept: "linux/arm64", "linux/arm/v7",
// "windows(10.0.20348)/amd64". Parse requires both os and architecture.
//
// This package never imports Kubernetes object types: the caller turns a
// node's labels (kubernetes.io/os, kubernetes.io/arch,
// node.kubernetes.io/windows-build) into a platform and its
// status.nodeInfo.containerRuntimeVersion into a Runtime (ParseRuntime).
package platforms
