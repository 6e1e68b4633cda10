// Package controllerpod builds the pod a workload's controller creates from
// the workload's pod template, so that the pod, not the template, can be
// judged as the API server will judge it when the controller creates it.
//
// It follows the controllers of kube-controller-manager (pkg/controller,
// v1.37): the template's labels, annotations, finalizers and spec are copied;
// then
//   - StatefulSet: name <set>-<ordinal> (the first ordinal, spec.ordinals.start),
//     hostname = name, subdomain = spec.serviceName, the labels
//     statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index and
//     controller-revision-hash (<set>-<hash>), and one persistentVolumeClaim
//     volume per volumeClaimTemplate (<claim>-<set>-<ordinal>), replacing a
//     template volume of the same name, claims first;
//   - Deployment: the ReplicaSet <deployment>-<hash>, then its pod;
//     pod-template-hash label;
//   - ReplicaSet, ReplicationController and anything else: generateName
//     <owner>-, the generated name as the API server would fill it in;
//   - DaemonSet: controller-revision-hash label, the required node affinity
//     replaced by one matchFields term on the node's name, and the daemon
//     tolerations;
//   - Job (and a CronJob's job <cronjob>-<minutes>): the job-name and
//     controller-uid labels (both spellings) and, for Indexed jobs, the
//     completion index annotation and label and the hostname <job>-<index>.
//
// Hashes are fixed stand-ins of the length the controllers produce (10
// characters); they never contain anything the API server could refuse.
// A Pod is itself; a PodTemplate and a custom resource's template become a
// pod with generateName <owner>-.
//
// Paths maps a field path of the built pod back to the field of the owner it
// comes from: the template's spec and metadata, or the owner's own name, for
// what the controller derives from it.
package controllerpod
