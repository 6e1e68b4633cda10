// Package check says what a check is, once: its name (the word of the skip
// annotation and of its namespace label), its key under the configuration
// file's modes, its title in notes, its default mode and what it reads.
//
// A check judges one object and returns problems in the API server's
// wording; the engine (package judge) applies its mode: enforce refuses,
// warn admits with each problem as a warning, off does not run it. The
// mode of one object is, in order: the configured mode (or the check's
// default), its namespace's label admissible.dev/<name>, its own
// annotation admissible.dev/skip.
//
// The list of checks, in the order they judge, is package judge's Checks:
// the configuration, the notes, the webhook's rules and the docs' table are
// derived from it. Adding a check is one package declaring a Check and its
// Judge, and one line in that list.
package check
