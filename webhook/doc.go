// Package webhook holds admissible's Kubernetes side, one role per folder;
// imports run one way, from the top of this list down, and no package
// imports its parent:
//
//   - serving: the admission handler, recent verdicts, the canary, the
//     webhook registration, and (serving/shed) the bound on admissions in
//     flight;
//   - config: the configuration file, read into the options of the others;
//   - cluster: the informers the webhook reads the cluster through, and
//     (cluster/pullsecrets) pull credentials;
//   - judge: the engine and, below it, its checks and what they use;
//   - manifest and verify: what "admissible check" reads, and how
//     "admissible verify" proves the install enforces;
//   - defaults: every default and name the others share.
//
// Nothing here speaks HTTP to a registry: the engine asks a
// resolvers.Resolver.
package webhook
