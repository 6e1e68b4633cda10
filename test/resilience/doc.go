// Package resilience holds the suites that run "admissible serve" as a
// process and hurt it: SIGTERM under load, registries that fail in every
// way at volume. Build tag "resilience"; `make test-resilience` runs them
// with bounded counts (part of `make test`), `make soak` with larger ones
// (RESILIENCE_SCALE).
package resilience
