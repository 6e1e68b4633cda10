// Package resolverstest gives tests what a lookup needs, for tests only:
//
//   - Resolver, a fake resolvers.Resolver that answers from a table by
//     reference, counts lookups and can hold, delay or fail them; Answer,
//     Found and Missing build its answers, and Fixed one that answers the
//     same to every reference; Func, a Resolver of a function, that keeps no
//     count, for benchmarks and fuzzing;
//   - MustRef, a parsed reference or a failed test;
//   - Serve, a real registry (go-containerregistry's in-memory one) on
//     loopback, and Push, a small random image pushed to any registry a test
//     runs.
package resolverstest
