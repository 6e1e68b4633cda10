// Package suggest finds the existing tags nearest to a tag that does not
// exist, so a refusal can say what to use instead ("nearest: v17.2.6").
//
// Nearest is semver-aware: tags that read as versions (with or without a
// leading "v") are ranked by closeness of major, then minor, then patch,
// releases before pre-releases; the tags of a repository that do not read as
// versions are ranked by edit distance. Decorator wraps a Resolver and, on a
// NotFound verdict for a tag, lists the repository's tags where that answer
// came from (the registry's own, after mirrors that did not answer; best
// effort, within the caller's deadline) and attaches the suggestions to the
// Result.
package suggest
