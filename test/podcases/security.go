package podcases

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func strPort(s string) intstr.IntOrString { return intstr.FromString(s) }

func securityCases() [][]mutation {
	csc := func(s *appsv1.StatefulSet) *corev1.SecurityContext {
		if ctr(s).SecurityContext == nil {
			ctr(s).SecurityContext = &corev1.SecurityContext{}
		}
		return ctr(s).SecurityContext
	}
	psc := func(s *appsv1.StatefulSet) *corev1.PodSecurityContext {
		if spec(s).SecurityContext == nil {
			spec(s).SecurityContext = &corev1.PodSecurityContext{}
		}
		return spec(s).SecurityContext
	}
	return [][]mutation{
		each("securityContext.runAsUser", []int64{-1, 1 << 40}, func(s *appsv1.StatefulSet, v int64) { csc(s).RunAsUser = &v }),
		each("securityContext.runAsGroup", []int64{-1}, func(s *appsv1.StatefulSet, v int64) { csc(s).RunAsGroup = &v }),
		one("securityContext: privileged without privilege escalation", func(s *appsv1.StatefulSet) {
			csc(s).Privileged, csc(s).AllowPrivilegeEscalation = ptr(true), ptr(false)
		}),
		one("securityContext: CAP_SYS_ADMIN without privilege escalation", func(s *appsv1.StatefulSet) {
			csc(s).Capabilities = &corev1.Capabilities{Add: []corev1.Capability{"CAP_SYS_ADMIN"}}
			csc(s).AllowPrivilegeEscalation = ptr(false)
		}),
		each("securityContext.procMount", []corev1.ProcMountType{"Foo"}, func(s *appsv1.StatefulSet, v corev1.ProcMountType) { csc(s).ProcMount = &v }),
		one("securityContext.procMount Unmasked with host users", func(s *appsv1.StatefulSet) { csc(s).ProcMount = ptr(corev1.UnmaskedProcMount) }),
		each("securityContext.seccompProfile.type", []corev1.SeccompProfileType{"Foo", "localhost"}, func(s *appsv1.StatefulSet, v corev1.SeccompProfileType) {
			csc(s).SeccompProfile = &corev1.SeccompProfile{Type: v}
		}),
		one("securityContext.seccompProfile Localhost without a profile", func(s *appsv1.StatefulSet) {
			csc(s).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost}
		}),
		one("securityContext.seccompProfile RuntimeDefault with a profile", func(s *appsv1.StatefulSet) {
			csc(s).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault, LocalhostProfile: ptr("p.json")}
		}),
		one("securityContext.appArmorProfile Localhost without a profile", func(s *appsv1.StatefulSet) {
			csc(s).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost}
		}),
		one("securityContext.appArmorProfile type Foo", func(s *appsv1.StatefulSet) {
			csc(s).AppArmorProfile = &corev1.AppArmorProfile{Type: "Foo"}
		}),
		one("securityContext.windowsOptions.hostProcess without host network", func(s *appsv1.StatefulSet) {
			csc(s).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}
		}),
		one("securityContext.windowsOptions.gmsaCredentialSpecName invalid", func(s *appsv1.StatefulSet) {
			csc(s).WindowsOptions = &corev1.WindowsSecurityContextOptions{GMSACredentialSpecName: ptr("UPPER_")}
		}),
		each("spec.securityContext.runAsUser", []int64{-1}, func(s *appsv1.StatefulSet, v int64) { psc(s).RunAsUser = &v }),
		each("spec.securityContext.fsGroup", []int64{-1}, func(s *appsv1.StatefulSet, v int64) { psc(s).FSGroup = &v }),
		one("spec.securityContext.supplementalGroups negative", func(s *appsv1.StatefulSet) { psc(s).SupplementalGroups = []int64{-1} }),
		each("spec.securityContext.sysctls[0].name", []string{"foo bar", "", "kernel..x", "-kernel.x"}, func(s *appsv1.StatefulSet, v string) {
			psc(s).Sysctls = []corev1.Sysctl{{Name: v, Value: "1"}}
		}),
		one("spec.securityContext.sysctls duplicate", func(s *appsv1.StatefulSet) {
			psc(s).Sysctls = []corev1.Sysctl{{Name: "net.ipv4.ip_forward", Value: "1"}, {Name: "net.ipv4.ip_forward", Value: "0"}}
		}),
		one("spec.securityContext.sysctls net.* with host network", func(s *appsv1.StatefulSet) {
			psc(s).Sysctls = []corev1.Sysctl{{Name: "net.ipv4.ip_forward", Value: "1"}}
			spec(s).HostNetwork = true
		}),
		each("spec.securityContext.fsGroupChangePolicy", []corev1.PodFSGroupChangePolicy{"Foo"}, func(s *appsv1.StatefulSet, v corev1.PodFSGroupChangePolicy) {
			psc(s).FSGroupChangePolicy = &v
		}),
		each("spec.securityContext.supplementalGroupsPolicy", []corev1.SupplementalGroupsPolicy{"Foo"}, func(s *appsv1.StatefulSet, v corev1.SupplementalGroupsPolicy) {
			psc(s).SupplementalGroupsPolicy = &v
		}),
		each("spec.securityContext.seLinuxChangePolicy", []corev1.PodSELinuxChangePolicy{"Foo"}, func(s *appsv1.StatefulSet, v corev1.PodSELinuxChangePolicy) {
			psc(s).SELinuxChangePolicy = &v
		}),
		one("spec.securityContext.seccompProfile Localhost without a profile", func(s *appsv1.StatefulSet) {
			psc(s).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost}
		}),
		one("hostUsers false with host network", func(s *appsv1.StatefulSet) { spec(s).HostUsers, spec(s).HostNetwork = ptr(false), true }),
		one("hostUsers false with host PID", func(s *appsv1.StatefulSet) { spec(s).HostUsers, spec(s).HostPID = ptr(false), true }),
		one("shareProcessNamespace with host PID", func(s *appsv1.StatefulSet) { spec(s).ShareProcessNamespace, spec(s).HostPID = ptr(true), true }),
		each("os.name", []corev1.OSName{"foo", "Linux"}, func(s *appsv1.StatefulSet, v corev1.OSName) { spec(s).OS = &corev1.PodOS{Name: v} }),
		one("os windows with seLinuxOptions", func(s *appsv1.StatefulSet) {
			spec(s).OS = &corev1.PodOS{Name: corev1.Windows}
			csc(s).SELinuxOptions = &corev1.SELinuxOptions{User: "u"}
		}),
		one("os windows with runAsUser", func(s *appsv1.StatefulSet) {
			spec(s).OS = &corev1.PodOS{Name: corev1.Windows}
			csc(s).RunAsUser = ptr(int64(1000))
		}),
		one("os linux with windowsOptions", func(s *appsv1.StatefulSet) {
			spec(s).OS = &corev1.PodOS{Name: corev1.Linux}
			csc(s).WindowsOptions = &corev1.WindowsSecurityContextOptions{RunAsUserName: ptr("u")}
		}),
		one("os linux with pod windowsOptions", func(s *appsv1.StatefulSet) {
			spec(s).OS = &corev1.PodOS{Name: corev1.Linux}
			psc(s).WindowsOptions = &corev1.WindowsSecurityContextOptions{RunAsUserName: ptr("u")}
		}),
	}
}
