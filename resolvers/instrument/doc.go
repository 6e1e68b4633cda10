// Package instrument exports Prometheus metrics of registry lookups:
//
//   - admissible_lookups_total{registry, verdict}: lookups by the image's
//     registry and verdict;
//   - admissible_lookup_duration_seconds{registry}: their latency;
//   - admissible_registry_requests_total{host, method, status}: every HTTP
//     exchange with a registry endpoint (status "error" when none came back);
//   - admissible_cache_lookups_total{result}: cache hits, misses and lookups
//     shared with one already in flight.
//
// Resolver decorates a Resolver; Requests is a registry.Observer.
package instrument
