package podcases

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func volumeCases() [][]mutation {
	setVol := func(s *appsv1.StatefulSet, src corev1.VolumeSource) { spec(s).Volumes[0].VolumeSource = src }
	items := func(key, path string, mode *int32) []corev1.KeyToPath {
		return []corev1.KeyToPath{{Key: key, Path: path, Mode: mode}}
	}
	return [][]mutation{
		each("volumes[0].name", badNames, func(s *appsv1.StatefulSet, v string) {
			spec(s).Volumes[0].Name = v
			ctr(s).VolumeMounts = nil
		}),
		one("volumes: duplicate names", func(s *appsv1.StatefulSet) { spec(s).Volumes = append(spec(s).Volumes, spec(s).Volumes[0]) }),
		one("volumes[0]: no source", func(s *appsv1.StatefulSet) { setVol(s, corev1.VolumeSource{}) }),
		one("volumes[0]: two sources", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}, HostPath: &corev1.HostPathVolumeSource{Path: "/x"}})
		}),
		each("volumes[0].hostPath.path", []string{"", "/a/../b"}, func(s *appsv1.StatefulSet, v string) {
			setVol(s, corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: v}})
		}),
		each("volumes[0].hostPath.type", []corev1.HostPathType{"Foo", "directory"}, func(s *appsv1.StatefulSet, v corev1.HostPathType) {
			setVol(s, corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/x", Type: &v}})
		}),
		each("volumes[0].emptyDir.medium", []corev1.StorageMedium{"Foo", "memory"}, func(s *appsv1.StatefulSet, v corev1.StorageMedium) {
			setVol(s, corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: v}})
		}),
		one("volumes[0].emptyDir.sizeLimit negative", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(q("-1Gi"))}})
		}),
		each("volumes[0].secret.secretName", []string{"", "UPPER"}, func(s *appsv1.StatefulSet, v string) {
			setVol(s, corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: v}})
		}),
		each("volumes[0].secret.defaultMode", []int32{512, -1, 0o7777}, func(s *appsv1.StatefulSet, v int32) {
			setVol(s, corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s", DefaultMode: &v}})
		}),
		each("volumes[0].configMap.items[0].path", []string{"", "..", "/abs", "../x", "a/../../x", "..data"}, func(s *appsv1.StatefulSet, v string) {
			setVol(s, corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}, Items: items("k", v, nil)}})
		}),
		each("volumes[0].configMap.items[0].key", []string{"", "a b"}, func(s *appsv1.StatefulSet, v string) {
			setVol(s, corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}, Items: items(v, "p", nil)}})
		}),
		each("volumes[0].configMap.items[0].mode", []int32{512, -1}, func(s *appsv1.StatefulSet, v int32) {
			setVol(s, corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}, Items: items("k", "p", &v)}})
		}),
		one("volumes[0].configMap.name empty", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}})
		}),
		each("volumes[0].persistentVolumeClaim.claimName", []string{"", "UPPER"}, func(s *appsv1.StatefulSet, v string) {
			setVol(s, corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: v}})
		}),
		one("volumes[0].nfs: no server", func(s *appsv1.StatefulSet) { setVol(s, corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Path: "/x"}}) }),
		one("volumes[0].nfs: relative path", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Server: "nfs", Path: "x"}})
		}),
		one("volumes[0].csi: no driver", func(s *appsv1.StatefulSet) { setVol(s, corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{}}) }),
		one("volumes[0].csi: invalid driver", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "-bad_driver-"}})
		}),
		one("volumes[0].iscsi: no target portal", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{ISCSI: &corev1.ISCSIVolumeSource{IQN: "iqn.2001-04.com.example:storage", Lun: 1}})
		}),
		one("volumes[0].downwardAPI: bad fieldRef", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: []corev1.DownwardAPIVolumeFile{{Path: "p", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}}}})
		}),
		one("volumes[0].downwardAPI: fieldRef and resourceFieldRef", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: []corev1.DownwardAPIVolumeFile{{Path: "p",
				FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}, ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.cpu"}}}}})
		}),
		one("volumes[0].projected: serviceAccountToken path empty", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{}}}}})
		}),
		one("volumes[0].projected: token expiry too short", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "t", ExpirationSeconds: ptr(int64(60))}}}}})
		}),
		one("volumes[0].projected: source with two kinds", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{
				Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}}, ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}}}}}})
		}),
		one("volumes[0].projected: same path twice", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Items: items("a", "p", nil)}},
				{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}, Items: items("b", "p", nil)}}}}})
		}),
		one("volumes[0].ephemeral: no volumeClaimTemplate", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{}})
		}),
		one("volumes[0].ephemeral: claim without access modes", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
				Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "1Gi")}}}}})
		}),
		one("volumes[0].ephemeral: claim template with a name", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
				ObjectMeta: metav1.ObjectMeta{Name: "x"},
				Spec:       corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{"ReadWriteOnce"}, Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "1Gi")}}}}})
		}),
		each("volumes[0].image.reference", []string{"", " x:1"}, func(s *appsv1.StatefulSet, v string) {
			setVol(s, corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: v}})
		}),
		one("volumes[0].image.pullPolicy invalid", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: Image, PullPolicy: "Sometimes"}})
		}),
		one("volumes[0].rbd: no monitors", func(s *appsv1.StatefulSet) {
			setVol(s, corev1.VolumeSource{RBD: &corev1.RBDVolumeSource{RBDImage: "i"}})
		}),
		one("volumes[0].gitRepo: no repository", func(s *appsv1.StatefulSet) { setVol(s, corev1.VolumeSource{GitRepo: &corev1.GitRepoVolumeSource{}}) }),
		one("volumes[0].fc: no wwids or targetWWNs", func(s *appsv1.StatefulSet) { setVol(s, corev1.VolumeSource{FC: &corev1.FCVolumeSource{}}) }),
		// StatefulSet volumeClaimTemplates become the pod's claim volumes.
		one("volumeClaimTemplates: a claim the container mounts (valid)", func(s *appsv1.StatefulSet) {
			spec(s).Volumes = nil
			s.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{"ReadWriteOnce"}, Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "1Gi")}}}}
		}),
		one("volumeClaimTemplates: a claim replacing a template volume (valid)", func(s *appsv1.StatefulSet) {
			s.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{"ReadWriteOnce"}, Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "1Gi")}}}}
		}),
		one("volumeClaimTemplates: claim mounted as a device (valid)", func(s *appsv1.StatefulSet) {
			s.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "blk"},
				Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{"ReadWriteOnce"}, Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "1Gi")}}}}
			ctr(s).VolumeDevices = []corev1.VolumeDevice{{Name: "blk", DevicePath: "/dev/blk"}}
		}),
		one("volumeClaimTemplates: mount of a claim that is not there", func(s *appsv1.StatefulSet) {
			ctr(s).VolumeMounts = append(ctr(s).VolumeMounts, corev1.VolumeMount{Name: "logs", MountPath: "/logs"})
		}),
	}
}
