package podcases

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func containerCases() [][]mutation {
	return [][]mutation{
		each("containers[0].name", badNames, func(s *appsv1.StatefulSet, v string) { ctr(s).Name = v }),
		one("containers: duplicate names", func(s *appsv1.StatefulSet) {
			spec(s).Containers = append(spec(s).Containers, corev1.Container{Name: "app", Image: Image})
		}),
		one("initContainers: name of a container", func(s *appsv1.StatefulSet) {
			spec(s).InitContainers = []corev1.Container{{Name: "app", Image: Image}}
		}),
		one("containers: none", func(s *appsv1.StatefulSet) { spec(s).Containers = nil }),
		each("containers[0].image", []string{"", " " + Image, Image + " ", "\t" + Image, Image + "\n"}, func(s *appsv1.StatefulSet, v string) { ctr(s).Image = v }),
		each("containers[0].imagePullPolicy", []corev1.PullPolicy{"always", "Sometimes", "never"}, func(s *appsv1.StatefulSet, v corev1.PullPolicy) { ctr(s).ImagePullPolicy = v }),
		each("containers[0].terminationMessagePolicy", []corev1.TerminationMessagePolicy{"Foo", "file"}, func(s *appsv1.StatefulSet, v corev1.TerminationMessagePolicy) {
			ctr(s).TerminationMessagePolicy = v
		}),
		each("containers[0].ports[0].containerPort", []int32{0, -1, 65536, 70000, 100000}, func(s *appsv1.StatefulSet, v int32) {
			ctr(s).Ports = []corev1.ContainerPort{{ContainerPort: v}}
		}),
		each("containers[0].ports[0].hostPort", []int32{-1, 65536, 70000}, func(s *appsv1.StatefulSet, v int32) {
			ctr(s).Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: v}}
		}),
		each("containers[0].ports[0].protocol", []corev1.Protocol{"tcp", "FOO", "ICMP", "udp"}, func(s *appsv1.StatefulSet, v corev1.Protocol) {
			ctr(s).Ports = []corev1.ContainerPort{{ContainerPort: 80, Protocol: v}}
		}),
		each("containers[0].ports[0].name", badPortNames, func(s *appsv1.StatefulSet, v string) {
			ctr(s).Ports = []corev1.ContainerPort{{ContainerPort: 80, Name: v}}
		}),
		each("containers[0].ports[0].hostIP", []string{"abc", "1.2.3", "::g"}, func(s *appsv1.StatefulSet, v string) {
			ctr(s).Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80, HostIP: v}}
		}),
		one("containers[0].ports: duplicate names", func(s *appsv1.StatefulSet) {
			ctr(s).Ports = []corev1.ContainerPort{{ContainerPort: 80, Name: "web"}, {ContainerPort: 81, Name: "web"}}
		}),
		one("containers[0].ports: hostPort twice", func(s *appsv1.StatefulSet) {
			ctr(s).Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 8080}, {ContainerPort: 81, HostPort: 8080}}
		}),
		each("containers[0].resizePolicy[0].resourceName", []corev1.ResourceName{"foo", "ephemeral-storage"}, func(s *appsv1.StatefulSet, v corev1.ResourceName) {
			ctr(s).ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: v, RestartPolicy: corev1.NotRequired}}
		}),
		each("containers[0].resizePolicy[0].restartPolicy", []corev1.ResourceResizeRestartPolicy{"Foo", ""}, func(s *appsv1.StatefulSet, v corev1.ResourceResizeRestartPolicy) {
			ctr(s).ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: corev1.ResourceCPU, RestartPolicy: v}}
		}),
		one("containers[0].resizePolicy: cpu twice", func(s *appsv1.StatefulSet) {
			ctr(s).ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: "cpu", RestartPolicy: corev1.NotRequired}, {ResourceName: "cpu", RestartPolicy: corev1.NotRequired}}
		}),
		each("containers[0].restartPolicy", []corev1.ContainerRestartPolicy{"Always", "Never", "Foo"}, func(s *appsv1.StatefulSet, v corev1.ContainerRestartPolicy) {
			ctr(s).RestartPolicy = &v
		}),
		each("initContainers[0].restartPolicy", []corev1.ContainerRestartPolicy{"Never", "OnFailure", "Foo"}, func(s *appsv1.StatefulSet, v corev1.ContainerRestartPolicy) {
			spec(s).InitContainers = []corev1.Container{{Name: "init", Image: Image, RestartPolicy: &v}}
		}),
		each("initContainers[0] (not a sidecar) probe", []string{"liveness", "readiness", "startup"}, func(s *appsv1.StatefulSet, v string) {
			c := corev1.Container{Name: "init", Image: Image}
			p := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}}
			switch v {
			case "liveness":
				c.LivenessProbe = p
			case "readiness":
				c.ReadinessProbe = p
			default:
				c.StartupProbe = p
			}
			spec(s).InitContainers = []corev1.Container{c}
		}),
		one("initContainers[0] (not a sidecar) lifecycle", func(s *appsv1.StatefulSet) {
			spec(s).InitContainers = []corev1.Container{{Name: "init", Image: Image, Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}}}}
		}),
		one("initContainers[0] sidecar readiness probe with successThreshold 2", func(s *appsv1.StatefulSet) {
			spec(s).InitContainers = []corev1.Container{{Name: "init", Image: Image, RestartPolicy: ptr(corev1.ContainerRestartPolicyAlways),
				LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}, SuccessThreshold: 2}}}
		}),
		one("ephemeralContainers in a template", func(s *appsv1.StatefulSet) {
			spec(s).EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: Image}}}
		}),
		each("containers[0].volumeMounts[0].name", []string{"missing", ""}, func(s *appsv1.StatefulSet, v string) { ctr(s).VolumeMounts[0].Name = v }),
		each("containers[0].volumeMounts[0].mountPath", []string{""}, func(s *appsv1.StatefulSet, v string) { ctr(s).VolumeMounts[0].MountPath = v }),
		each("containers[0].volumeMounts[0].subPath", []string{"../x", "/abs", "a/../../b"}, func(s *appsv1.StatefulSet, v string) { ctr(s).VolumeMounts[0].SubPath = v }),
		each("containers[0].volumeMounts[0].subPathExpr", []string{"../$(POD)", "/abs"}, func(s *appsv1.StatefulSet, v string) { ctr(s).VolumeMounts[0].SubPathExpr = v }),
		one("containers[0].volumeMounts[0] subPath and subPathExpr", func(s *appsv1.StatefulSet) {
			ctr(s).VolumeMounts[0].SubPath, ctr(s).VolumeMounts[0].SubPathExpr = "a", "b"
		}),
		each("containers[0].volumeMounts[0].mountPropagation", []corev1.MountPropagationMode{"Foo", "Bidirectional"}, func(s *appsv1.StatefulSet, v corev1.MountPropagationMode) {
			ctr(s).VolumeMounts[0].MountPropagation = &v
		}),
		each("containers[0].volumeMounts[0].recursiveReadOnly", []corev1.RecursiveReadOnlyMode{"Enabled", "Foo"}, func(s *appsv1.StatefulSet, v corev1.RecursiveReadOnlyMode) {
			ctr(s).VolumeMounts[0].RecursiveReadOnly = &v
		}),
		one("containers[0].volumeMounts: same path twice", func(s *appsv1.StatefulSet) {
			ctr(s).VolumeMounts = append(ctr(s).VolumeMounts, corev1.VolumeMount{Name: "data", MountPath: "/data"})
		}),
		one("containers[0].volumeDevices: unknown volume", func(s *appsv1.StatefulSet) {
			ctr(s).VolumeDevices = []corev1.VolumeDevice{{Name: "missing", DevicePath: "/dev/x"}}
		}),
		one("containers[0].volumeDevices: emptyDir volume", func(s *appsv1.StatefulSet) {
			ctr(s).VolumeDevices = []corev1.VolumeDevice{{Name: "data", DevicePath: "/dev/x"}}
		}),
		one("containers[0].workingDir: too long", func(s *appsv1.StatefulSet) { ctr(s).WorkingDir = "/" + string(make([]byte, 0)) + repeat("w", 5000) }),
		one("containers[0].lifecycle.postStart: no handler", func(s *appsv1.StatefulSet) {
			ctr(s).Lifecycle = &corev1.Lifecycle{PostStart: &corev1.LifecycleHandler{}}
		}),
		one("containers[0].lifecycle.preStop: two handlers", func(s *appsv1.StatefulSet) {
			ctr(s).Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"x"}}, TCPSocket: &corev1.TCPSocketAction{Port: port(80)}}}
		}),
		each("containers[0].lifecycle.preStop.sleep.seconds", []int64{-1}, func(s *appsv1.StatefulSet, v int64) {
			ctr(s).Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: v}}}
		}),
		each("containers[0].lifecycle.postStart.httpGet.port", []int{0, 70000}, func(s *appsv1.StatefulSet, v int) {
			ctr(s).Lifecycle = &corev1.Lifecycle{PostStart: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Port: port(v)}}}
		}),
		each("containers[0].lifecycle.stopSignal", []corev1.Signal{"SIGFOO"}, func(s *appsv1.StatefulSet, v corev1.Signal) {
			ctr(s).Lifecycle = &corev1.Lifecycle{StopSignal: &v}
			spec(s).OS = &corev1.PodOS{Name: corev1.Linux}
		}),
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, n*len(s))
	for i := 0; i < n; i++ {
		b = append(b, s...)
	}
	return string(b)
}
