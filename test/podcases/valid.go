package podcases

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// validCases are specs the API server accepts that use unusual features:
// a webhook that refuses any of them is wrong.
func validCases() [][]mutation {
	exec := corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}
	v := func(name string, f func(s *appsv1.StatefulSet)) []mutation { return one("valid: "+name, f) }
	out := [][]mutation{
		v("sidecar init container with probes", func(s *appsv1.StatefulSet) {
			spec(s).InitContainers = []corev1.Container{{Name: "proxy", Image: Image, RestartPolicy: ptr(corev1.ContainerRestartPolicyAlways),
				StartupProbe: &corev1.Probe{ProbeHandler: exec}, LivenessProbe: &corev1.Probe{ProbeHandler: exec}, ReadinessProbe: &corev1.Probe{ProbeHandler: exec}}}
		}),
		v("sidecar with lifecycle", func(s *appsv1.StatefulSet) {
			spec(s).InitContainers = []corev1.Container{{Name: "proxy", Image: Image, RestartPolicy: ptr(corev1.ContainerRestartPolicyAlways),
				Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: exec.Exec}}}}
		}),
		v("image by digest", func(s *appsv1.StatefulSet) {
			ctr(s).Image = "registry.example/app@sha256:" + repeat("a", 64)
		}),
		v("env from every downward API field", func(s *appsv1.StatefulSet) {
			for i, p := range []string{"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs", "metadata.labels['app']", "metadata.annotations['a']"} {
				ctr(s).Env = append(ctr(s).Env, corev1.EnvVar{Name: fmt.Sprintf("F%d", i), ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: p}}})
			}
		}),
		v("env names with dots and dashes", func(s *appsv1.StatefulSet) {
			ctr(s).Env = []corev1.EnvVar{{Name: "my.var-1", Value: "x"}, {Name: "_x", Value: ""}}
		}),
		v("env value empty with valueFrom", func(s *appsv1.StatefulSet) {
			ctr(s).Env = []corev1.EnvVar{{Name: "P", Value: "", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: secretRef("s", "k")}}}
		}),
		v("env resourceFieldRef with divisor", func(s *appsv1.StatefulSet) {
			ctr(s).Env = []corev1.EnvVar{{Name: "M", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory", Divisor: q("1Mi")}}},
				{Name: "C", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "requests.cpu", Divisor: q("1m")}}}}
		}),
		v("optional configMap and secret refs", func(s *appsv1.StatefulSet) {
			ctr(s).EnvFrom = []corev1.EnvFromSource{{Prefix: "P_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}, Optional: ptr(true)}}}
		}),
		v("100 env entries", func(s *appsv1.StatefulSet) {
			for i := 0; i < 100; i++ {
				ctr(s).Env = append(ctr(s).Env, corev1.EnvVar{Name: fmt.Sprintf("V%d", i), Value: "x"})
			}
		}),
		v("ports at the edges and SCTP", func(s *appsv1.StatefulSet) {
			ctr(s).Ports = []corev1.ContainerPort{{ContainerPort: 1, Name: "low"}, {ContainerPort: 65535, Name: "high", Protocol: corev1.ProtocolUDP}, {ContainerPort: 9, Protocol: corev1.ProtocolSCTP}}
		}),
		v("hostPort equal to containerPort with hostNetwork", func(s *appsv1.StatefulSet) {
			spec(s).HostNetwork = true
			ctr(s).Ports = []corev1.ContainerPort{{ContainerPort: 8080, HostPort: 8080}}
		}),
		v("container name of 63 characters", func(s *appsv1.StatefulSet) { ctr(s).Name = repeat("c", 63) }),
		v("emptyDir in memory with a size limit", func(s *appsv1.StatefulSet) {
			spec(s).Volumes[0].EmptyDir = &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: ptr(q("64Mi"))}
		}),
		v("projected volume with a service account token", func(s *appsv1.StatefulSet) {
			spec(s).Volumes[0].VolumeSource = corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", Audience: "vault", ExpirationSeconds: ptr(int64(3600))}},
				{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels"}}}}},
				{ClusterTrustBundle: nil, ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "ca"}, Optional: ptr(true)}},
			}}}
		}),
		v("downwardAPI volume with resourceFieldRef", func(s *appsv1.StatefulSet) {
			spec(s).Volumes[0].VolumeSource = corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: []corev1.DownwardAPIVolumeFile{
				{Path: "cpu", ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "app", Resource: "limits.cpu"}}}}}
		}),
		v("csi inline volume", func(s *appsv1.StatefulSet) {
			spec(s).Volumes[0].VolumeSource = corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "secrets-store.csi.k8s.io", ReadOnly: ptr(true), VolumeAttributes: map[string]string{"a": "b"}}}
		}),
		v("generic ephemeral volume", func(s *appsv1.StatefulSet) {
			spec(s).Volumes[0].VolumeSource = corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
				Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{"ReadWriteOnce"}, Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "1Gi")}}}}}
		}),
		v("hostPath with a type", func(s *appsv1.StatefulSet) {
			spec(s).Volumes[0].VolumeSource = corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log", Type: ptr(corev1.HostPathDirectoryOrCreate)}}
		}),
		v("secret volume with items and modes", func(s *appsv1.StatefulSet) {
			spec(s).Volumes[0].VolumeSource = corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s", DefaultMode: ptr(int32(0400)),
				Items: []corev1.KeyToPath{{Key: "tls.crt", Path: "certs/tls.crt", Mode: ptr(int32(0444))}}}}
		}),
		v("subPathExpr from an env var", func(s *appsv1.StatefulSet) {
			ctr(s).Env = []corev1.EnvVar{{Name: "POD", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}}
			ctr(s).VolumeMounts[0].SubPathExpr = "$(POD)"
		}),
		v("mount propagation HostToContainer", func(s *appsv1.StatefulSet) {
			ctr(s).VolumeMounts[0].MountPropagation = ptr(corev1.MountPropagationHostToContainer)
		}),
		v("read-only mount, recursive if possible", func(s *appsv1.StatefulSet) {
			ctr(s).VolumeMounts[0].ReadOnly = true
			ctr(s).VolumeMounts[0].RecursiveReadOnly = ptr(corev1.RecursiveReadOnlyIfPossible)
		}),
		v("bidirectional propagation when privileged", func(s *appsv1.StatefulSet) {
			ctr(s).VolumeMounts[0].MountPropagation = ptr(corev1.MountPropagationBidirectional)
			ctr(s).SecurityContext = &corev1.SecurityContext{Privileged: ptr(true)}
		}),
		v("grpc, httpGet with headers and tcp probes", func(s *appsv1.StatefulSet) {
			ctr(s).LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090, Service: ptr("health")}}}
			ctr(s).ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: strPort("http"), Scheme: corev1.URISchemeHTTPS,
				HTTPHeaders: []corev1.HTTPHeader{{Name: "X-Probe", Value: "1"}}}}}
			ctr(s).StartupProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: port(80)}}, FailureThreshold: 30, PeriodSeconds: 10}
			ctr(s).Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8443}}
		}),
		v("liveness probe with terminationGracePeriodSeconds", func(s *appsv1.StatefulSet) {
			ctr(s).LivenessProbe = &corev1.Probe{ProbeHandler: exec, TerminationGracePeriodSeconds: ptr(int64(10))}
		}),
		v("readiness probe with successThreshold 3", func(s *appsv1.StatefulSet) {
			ctr(s).ReadinessProbe = &corev1.Probe{ProbeHandler: exec, SuccessThreshold: 3}
		}),
		v("preStop sleep", func(s *appsv1.StatefulSet) {
			ctr(s).Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 5}}}
		}),
		v("postStart httpGet", func(s *appsv1.StatefulSet) {
			ctr(s).Lifecycle = &corev1.Lifecycle{PostStart: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/start", Port: port(8080)}}}
		}),
		v("tolerate everything", func(s *appsv1.StatefulSet) {
			spec(s).Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
		}),
		v("toleration with seconds on NoExecute", func(s *appsv1.StatefulSet) {
			spec(s).Tolerations = []corev1.Toleration{{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(30))}}
		}),
		v("node affinity with Gt, NotIn and matchFields", func(s *appsv1.StatefulSet) {
			nodeAffinity(s, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req("cores", corev1.NodeSelectorOpGt, "4"), req("zone", corev1.NodeSelectorOpNotIn, "a", "b")}},
				corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{req("metadata.name", corev1.NodeSelectorOpIn, "node-1")}})
		}),
		v("preferred affinity weights 1 and 100", func(s *appsv1.StatefulSet) {
			spec(s).Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{
				{Weight: 1, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req("a", corev1.NodeSelectorOpExists)}}},
				{Weight: 100, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req("b", corev1.NodeSelectorOpDoesNotExist)}}}}}}
		}),
		v("pod anti-affinity across zones with namespaceSelector", func(s *appsv1.StatefulSet) {
			t := podAffinityTerm("topology.kubernetes.io/zone", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "podcases"}})
			t.NamespaceSelector = &metav1.LabelSelector{}
			spec(s).Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{t}}}
		}),
		v("pod affinity with matchLabelKeys", func(s *appsv1.StatefulSet) {
			t := podAffinityTerm("zone", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "podcases"}})
			t.MatchLabelKeys = []string{"controller-revision-hash"}
			spec(s).Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{t}}}
		}),
		v("topology spread with minDomains and policies", func(s *appsv1.StatefulSet) {
			spec(s).TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule, MinDomains: ptr(int32(3)),
				NodeAffinityPolicy: ptr(corev1.NodeInclusionPolicyHonor), NodeTaintsPolicy: ptr(corev1.NodeInclusionPolicyIgnore),
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "podcases"}}, MatchLabelKeys: []string{"controller-revision-hash"}}}
		}),
		v("dnsPolicy None with dnsConfig", func(s *appsv1.StatefulSet) {
			spec(s).DNSPolicy = corev1.DNSNone
			spec(s).DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{"10.0.0.10", "fd00::10"}, Searches: []string{"svc.cluster.local"}, Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: ptr("2")}}}
		}),
		v("dnsPolicy ClusterFirstWithHostNet", func(s *appsv1.StatefulSet) {
			spec(s).DNSPolicy, spec(s).HostNetwork = corev1.DNSClusterFirstWithHostNet, true
		}),
		v("host aliases, IPv4 and IPv6", func(s *appsv1.StatefulSet) {
			spec(s).HostAliases = []corev1.HostAlias{{IP: "10.0.0.1", Hostnames: []string{"a.example", "b"}}, {IP: "fd00::1", Hostnames: []string{"c.example"}}}
		}),
		v("restricted security context", func(s *appsv1.StatefulSet) {
			spec(s).SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: ptr(true), RunAsUser: ptr(int64(65532)), FSGroup: ptr(int64(65532)),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}, FSGroupChangePolicy: ptr(corev1.FSGroupChangeOnRootMismatch)}
			ctr(s).SecurityContext = &corev1.SecurityContext{AllowPrivilegeEscalation: ptr(false), ReadOnlyRootFilesystem: ptr(true),
				Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"NET_BIND_SERVICE"}}}
		}),
		v("localhost seccomp and apparmor profiles", func(s *appsv1.StatefulSet) {
			ctr(s).SecurityContext = &corev1.SecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: ptr("profiles/app.json")},
				AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: ptr("k8s-app")}}
		}),
		v("safe sysctls", func(s *appsv1.StatefulSet) {
			spec(s).SecurityContext = &corev1.PodSecurityContext{Sysctls: []corev1.Sysctl{{Name: "net.ipv4.ip_local_port_range", Value: "1024 65535"}, {Name: "kernel.shm_rmid_forced", Value: "1"}}}
		}),
		v("supplemental groups", func(s *appsv1.StatefulSet) {
			spec(s).SecurityContext = &corev1.PodSecurityContext{SupplementalGroups: []int64{0, 1000, 2147483647}}
		}),
		v("seLinuxOptions", func(s *appsv1.StatefulSet) {
			spec(s).SecurityContext = &corev1.PodSecurityContext{SELinuxOptions: &corev1.SELinuxOptions{Level: "s0:c123,c456", Type: "container_t"}}
		}),
		v("user namespaces", func(s *appsv1.StatefulSet) { spec(s).HostUsers = ptr(false) }),
		v("os linux", func(s *appsv1.StatefulSet) { spec(s).OS = &corev1.PodOS{Name: corev1.Linux} }),
		v("os windows with windowsOptions", func(s *appsv1.StatefulSet) {
			spec(s).OS = &corev1.PodOS{Name: corev1.Windows}
			ctr(s).SecurityContext = &corev1.SecurityContext{WindowsOptions: &corev1.WindowsSecurityContextOptions{RunAsUserName: ptr("ContainerUser")}}
		}),
		v("shared process namespace", func(s *appsv1.StatefulSet) { spec(s).ShareProcessNamespace = ptr(true) }),
		v("terminationGracePeriodSeconds 0", func(s *appsv1.StatefulSet) { spec(s).TerminationGracePeriodSeconds = ptr(int64(0)) }),
		v("activeDeadlineSeconds large", func(s *appsv1.StatefulSet) { spec(s).ActiveDeadlineSeconds = ptr(int64(1 << 40)) }),
		v("scheduling gates without a node name", func(s *appsv1.StatefulSet) {
			spec(s).SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/quota"}}
		}),
		v("readiness gates", func(s *appsv1.StatefulSet) {
			spec(s).ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "target-health.elbv2.k8s.aws/tg"}}
		}),
		v("hugepages with memory", func(s *appsv1.StatefulSet) {
			ctr(s).Resources = corev1.ResourceRequirements{Requests: rl("hugepages-2Mi", "4Mi", "memory", "1Gi", "cpu", "1"), Limits: rl("hugepages-2Mi", "4Mi", "memory", "1Gi")}
		}),
		v("extended resources equal", func(s *appsv1.StatefulSet) {
			ctr(s).Resources = corev1.ResourceRequirements{Requests: rl("nvidia.com/gpu", "2"), Limits: rl("nvidia.com/gpu", "2")}
		}),
		v("limits only (requests default to limits)", func(s *appsv1.StatefulSet) {
			ctr(s).Resources = corev1.ResourceRequirements{Limits: rl("cpu", "500m", "memory", "256Mi", "ephemeral-storage", "1Gi")}
		}),
		v("resize policy", func(s *appsv1.StatefulSet) {
			ctr(s).ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: "cpu", RestartPolicy: corev1.NotRequired}, {ResourceName: "memory", RestartPolicy: corev1.RestartContainer}}
		}),
		v("preemptionPolicy Never", func(s *appsv1.StatefulSet) { spec(s).PreemptionPolicy = ptr(corev1.PreemptNever) }),
		v("enableServiceLinks false and no token automount", func(s *appsv1.StatefulSet) {
			spec(s).EnableServiceLinks, spec(s).AutomountServiceAccountToken = ptr(false), ptr(false)
		}),
		v("setHostnameAsFQDN", func(s *appsv1.StatefulSet) { spec(s).SetHostnameAsFQDN = ptr(true) }),
		v("image volume", func(s *appsv1.StatefulSet) {
			spec(s).Volumes = append(spec(s).Volumes, corev1.Volume{Name: "model", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: Image, PullPolicy: corev1.PullIfNotPresent}}})
		}),
		v("five init containers", func(s *appsv1.StatefulSet) {
			for i := 0; i < 5; i++ {
				spec(s).InitContainers = append(spec(s).InitContainers, corev1.Container{Name: fmt.Sprintf("init-%d", i), Image: Image, Command: []string{"sh", "-c", "true"}})
			}
		}),
		v("unicode annotations and long label values", func(s *appsv1.StatefulSet) {
			s.Spec.Template.Annotations = map[string]string{"example.com/note": "héllo wörld ✓"}
			s.Spec.Template.Labels["example.com/tier"] = repeat("t", 63)
		}),
		v("stdin, tty and working dir", func(s *appsv1.StatefulSet) {
			ctr(s).Stdin, ctr(s).TTY, ctr(s).WorkingDir = true, true, "/srv"
		}),
		v("termination message from log", func(s *appsv1.StatefulSet) {
			ctr(s).TerminationMessagePolicy, ctr(s).TerminationMessagePath = corev1.TerminationMessageFallbackToLogsOnError, "/tmp/msg"
		}),
		v("imagePullPolicy Always", func(s *appsv1.StatefulSet) { ctr(s).ImagePullPolicy = corev1.PullAlways }),
		v("command and args with variables", func(s *appsv1.StatefulSet) {
			ctr(s).Command, ctr(s).Args = []string{"/bin/app"}, []string{"--name=$(POD)", "$$literal"}
		}),
		v("ordinals start at 5", func(s *appsv1.StatefulSet) { s.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: 5} }),
		v("StatefulSet name of 52 characters", func(s *appsv1.StatefulSet) { s.Name = "case-ok-" + repeat("n", 44) }),
		v("resource claim from a template", func(s *appsv1.StatefulSet) {
			spec(s).ResourceClaims = []corev1.PodResourceClaim{{Name: "gpu", ResourceClaimTemplateName: ptr("gpu-template")}}
			ctr(s).Resources.Claims = []corev1.ResourceClaim{{Name: "gpu"}}
		}),
		v("windows host process with host network", func(s *appsv1.StatefulSet) {
			spec(s).OS = &corev1.PodOS{Name: corev1.Windows}
			spec(s).HostNetwork = true
			spec(s).SecurityContext = &corev1.PodSecurityContext{WindowsOptions: &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true), RunAsUserName: ptr("NT AUTHORITY\\SYSTEM")}}
		}),
		v("priority 0 by hand", func(s *appsv1.StatefulSet) { spec(s).Priority = ptr(int32(0)) }),
	}
	return out
}
