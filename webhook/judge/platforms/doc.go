// Package platforms is the platforms check: an image must serve the
// platform of the nodes its pods may run on.
//
// Which nodes a pod may run on is the scheduler's rule, evaluated with
// k8s.io/component-helpers' own code: the pod's nodeSelector and required
// node affinity (nodeaffinity.GetRequiredNodeAffinity), the NoSchedule and
// NoExecute taints it tolerates (TolerationsTolerateTaint), and
// spec.nodeName, which pins one node. The taints the node lifecycle
// controller sets for a node's condition (node.kubernetes.io/not-ready,
// unreachable, unschedulable, and the pressure taints) are passing states,
// not where a pod may run: they do not exclude a node. A node's platform
// is its labels kubernetes.io/os and kubernetes.io/arch (status.nodeInfo
// when a label is missing), with a Windows node's os.version from
// status.nodeInfo.kernelVersion or node.kubernetes.io/windows-build; its
// runtime (containerd or CRI-O) from status.nodeInfo.containerRuntimeVersion.
//
// What an image serves comes from package resolvers/platforms, which reads
// the index (or a single image's config) through the node's mirror walk
// and matches with containerd's own matcher.
//
// Verdicts, per pod template and image:
//   - no node the pod may run on can run the image: a problem;
//   - a DaemonSet whose nodes include one that cannot: a problem (its pod
//     there fails);
//   - another workload with some nodes that cannot: a warning naming their
//     platforms and how many nodes each has (the scheduler may still place
//     every pod well);
//   - a node served only through a fallback (an older amd64 level, 386,
//     arm under arm64, which only containerd's local pull takes): a warning;
//   - no node the pod may run on at all (a node pool not created yet): a
//     warning that the platforms were not checked.
//
// Without access to the nodes, the platforms come from the configuration
// (platforms: [linux/amd64, linux/arm64]) or check --platform: each is a
// node with only its os and arch labels, so a pod's selectors on other
// labels are not applied.
package platforms
