// Package cluster reads what the webhook needs from the API server through
// informers (controller-runtime's cache): namespace labels (modes and
// PodSecurity levels), pull secrets and service accounts (pull credentials),
// and the ServiceAccounts, PriorityClasses and RuntimeClasses pod admission
// looks up. No admission waits for an informer: until the caches have synced,
// reads go to the API server.
//
// A ServiceAccount, PriorityClass or RuntimeClass the cache does not hold is
// confirmed with one live read before it is called missing (an object
// created a moment before the workload that names it may not have reached
// the informer yet); misses are rare, since they mean a refusal. Namespaces
// are never read live: a namespace the cache lags on gets a warning.
package cluster
