package podcases

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func podCases() [][]mutation {
	return [][]mutation{
		each("restartPolicy", []corev1.RestartPolicy{"Foo", "always"}, func(s *appsv1.StatefulSet, v corev1.RestartPolicy) { spec(s).RestartPolicy = v }),
		each("dnsPolicy", []corev1.DNSPolicy{"Foo", "None", "default"}, func(s *appsv1.StatefulSet, v corev1.DNSPolicy) { spec(s).DNSPolicy = v }),
		one("dnsConfig: four nameservers", func(s *appsv1.StatefulSet) {
			spec(s).DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{"1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"}}
		}),
		each("dnsConfig.nameservers[0]", []string{"abc", "1.2.3", "999.1.1.1"}, func(s *appsv1.StatefulSet, v string) {
			spec(s).DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{v}}
		}),
		one("dnsConfig: 33 search domains", func(s *appsv1.StatefulSet) {
			var d []string
			for i := 0; i < 33; i++ {
				d = append(d, "d"+string(rune('a'+i%26))+string(rune('a'+i/26))+".example")
			}
			spec(s).DNSConfig = &corev1.PodDNSConfig{Searches: d}
		}),
		each("dnsConfig.searches[0]", []string{"a_b.example", "-a.example", repeat("s", 254)}, func(s *appsv1.StatefulSet, v string) {
			spec(s).DNSConfig = &corev1.PodDNSConfig{Searches: []string{v}}
		}),
		one("dnsConfig: option without a name", func(s *appsv1.StatefulSet) {
			spec(s).DNSConfig = &corev1.PodDNSConfig{Options: []corev1.PodDNSConfigOption{{Value: ptr("1")}}}
		}),
		each("hostAliases[0].ip", []string{"abc", "", "1.2.3"}, func(s *appsv1.StatefulSet, v string) {
			spec(s).HostAliases = []corev1.HostAlias{{IP: v, Hostnames: []string{"a.example"}}}
		}),
		each("hostAliases[0].hostnames[0]", []string{"UPPER_", "a b", ""}, func(s *appsv1.StatefulSet, v string) {
			spec(s).HostAliases = []corev1.HostAlias{{IP: "10.0.0.1", Hostnames: []string{v}}}
		}),
		each("serviceName (the pods' subdomain)", []string{"UPPER", "a.b", repeat("s", 64)}, func(s *appsv1.StatefulSet, v string) { s.Spec.ServiceName = v }),
		each("hostname", []string{"UPPER"}, func(s *appsv1.StatefulSet, v string) { spec(s).Hostname = v }),
		each("terminationGracePeriodSeconds", []int64{-1}, func(s *appsv1.StatefulSet, v int64) { spec(s).TerminationGracePeriodSeconds = &v }),
		each("activeDeadlineSeconds", []int64{0, -1}, func(s *appsv1.StatefulSet, v int64) { spec(s).ActiveDeadlineSeconds = &v }),
		each("serviceAccountName", []string{"UPPER_", "a b"}, func(s *appsv1.StatefulSet, v string) { spec(s).ServiceAccountName = v }),
		one("serviceAccountName and deprecated serviceAccount differ", func(s *appsv1.StatefulSet) {
			spec(s).ServiceAccountName, spec(s).DeprecatedServiceAccount = "a", "b"
		}),
		each("runtimeClassName", []string{"UPPER_", "a b"}, func(s *appsv1.StatefulSet, v string) { spec(s).RuntimeClassName = &v }),
		each("imagePullSecrets[0].name", []string{"", "UPPER_"}, func(s *appsv1.StatefulSet, v string) {
			spec(s).ImagePullSecrets = []corev1.LocalObjectReference{{Name: v}}
		}),
		each("template label key", badLabelKeys, func(s *appsv1.StatefulSet, v string) { s.Spec.Template.Labels[v] = "x" }),
		each("template annotation key", badLabelKeys, func(s *appsv1.StatefulSet, v string) {
			s.Spec.Template.Annotations = map[string]string{v: "x"}
		}),
		one("template annotations over 256 KiB", func(s *appsv1.StatefulSet) {
			s.Spec.Template.Annotations = map[string]string{"big": repeat("a", 262145)}
		}),
		one("StatefulSet name too long for the pod-name label", func(s *appsv1.StatefulSet) { s.Name = "case-long-" + repeat("n", 60) }),
		one("StatefulSet name too long for the revision label", func(s *appsv1.StatefulSet) { s.Name = "case-rev-" + repeat("r", 45) }),
		one("hostNetwork with a containerPort differing from its hostPort", func(s *appsv1.StatefulSet) {
			spec(s).HostNetwork = true
			ctr(s).Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 8080}}
		}),
		one("setHostnameAsFQDN with a long FQDN", func(s *appsv1.StatefulSet) {
			spec(s).SetHostnameAsFQDN = ptr(true)
			s.Spec.ServiceName = repeat("s", 63)
		}),
	}
}
