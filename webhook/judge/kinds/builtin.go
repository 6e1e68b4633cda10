package kinds

import "k8s.io/apimachinery/pkg/runtime/schema"

var templateSpec = Path{"spec", "template", "spec"}

func gvk(group, version, kind string) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: group, Version: version, Kind: kind}
}

// builtin lists the kinds judged without configuration.
func builtin() []Kind {
	return []Kind{
		{GroupVersionKind: gvk("", "v1", "Pod"), Resource: "pods", Subresources: []string{"ephemeralcontainers"}, PodSpecs: []Path{{"spec"}}},
		{GroupVersionKind: gvk("", "v1", "PodTemplate"), Resource: "podtemplates", PodSpecs: []Path{{"template", "spec"}}},
		{GroupVersionKind: gvk("", "v1", "ReplicationController"), Resource: "replicationcontrollers", PodSpecs: []Path{templateSpec}},
		{GroupVersionKind: gvk("apps", "v1", "Deployment"), Resource: "deployments", PodSpecs: []Path{templateSpec}},
		{GroupVersionKind: gvk("apps", "v1", "StatefulSet"), Resource: "statefulsets", PodSpecs: []Path{templateSpec}},
		{GroupVersionKind: gvk("apps", "v1", "DaemonSet"), Resource: "daemonsets", PodSpecs: []Path{templateSpec}},
		{GroupVersionKind: gvk("apps", "v1", "ReplicaSet"), Resource: "replicasets", PodSpecs: []Path{templateSpec}},
		{GroupVersionKind: gvk("batch", "v1", "Job"), Resource: "jobs", PodSpecs: []Path{templateSpec}},
		{GroupVersionKind: gvk("batch", "v1", "CronJob"), Resource: "cronjobs", PodSpecs: []Path{{"spec", "jobTemplate", "spec", "template", "spec"}}},
		// Rook (ceph.rook.io/v1). CephBlockPool's snapshot schedules name RBD
		// images, not container images, and are not listed.
		{GroupVersionKind: gvk("ceph.rook.io", "v1", "CephCluster"), Resource: "cephclusters", Images: []Path{{"spec", "cephVersion", "image"}}},
		{GroupVersionKind: gvk("ceph.rook.io", "v1", "CephNFS"), Resource: "cephnfses", Images: []Path{{"spec", "server", "image"}, {"spec", "security", "sssd", "sidecar", "image"}}},
		{GroupVersionKind: gvk("ceph.rook.io", "v1", "CephNVMeOFGateway"), Resource: "cephnvmeofgateways", Images: []Path{{"spec", "image"}}},
		{GroupVersionKind: gvk("ceph.rook.io", "v1", "CephCOSIDriver"), Resource: "cephcosidrivers", Images: []Path{{"spec", "image"}, {"spec", "objectProvisionerImage"}}},
	}
}
