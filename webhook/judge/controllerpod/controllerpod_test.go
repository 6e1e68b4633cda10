package controllerpod_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/webhook/judge/controllerpod"
)

func owner(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

var template = controllerpod.Template{
	Meta:     metav1.ObjectMeta{Labels: map[string]string{"app": "db"}},
	Spec:     corev1.PodSpec{Containers: []corev1.Container{{Name: "pg", Image: "postgres:16"}}, Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}, {Name: "tmp"}}},
	SpecPath: field.NewPath("spec", "template", "spec"),
	MetaPath: field.NewPath("spec", "template", "metadata"),
}

func TestStatefulSetPod(t *testing.T) {
	set := owner(t, `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg, namespace: db}
spec:
  serviceName: pg-headless
  ordinals: {start: 3}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`)
	pod, paths := controllerpod.Build(set, template)
	if pod.Name != "pg-3" || pod.Namespace != "db" || pod.Spec.Hostname != "pg-3" || pod.Spec.Subdomain != "pg-headless" {
		t.Errorf("identity: name %q namespace %q hostname %q subdomain %q", pod.Name, pod.Namespace, pod.Spec.Hostname, pod.Spec.Subdomain)
	}
	for k, v := range map[string]string{"app": "db", "statefulset.kubernetes.io/pod-name": "pg-3", "apps.kubernetes.io/pod-index": "3"} {
		if pod.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, pod.Labels[k], v)
		}
	}
	// The claim replaces the template volume of the same name and comes first.
	var names []string
	for _, v := range pod.Spec.Volumes {
		names = append(names, v.Name)
	}
	if diff := cmp.Diff([]string{"data", "tmp"}, names); diff != "" {
		t.Errorf("volumes (-want +got):\n%s", diff)
	}
	if c := pod.Spec.Volumes[0].PersistentVolumeClaim; c == nil || c.ClaimName != "data-pg-3" {
		t.Errorf("claim volume: %+v", pod.Spec.Volumes[0])
	}
	for pod, want := range map[string]string{
		"spec.containers[0].image": "spec.template.spec.containers[0].image",
		"spec.volumes[0].name":     "spec.volumeClaimTemplates[0].name",
		"spec.volumes[1]":          "spec.template.spec.volumes[1]",
		"spec.hostname":            "metadata.name",
		"spec.subdomain":           "spec.serviceName",
		"metadata.annotations":     "spec.template.metadata.annotations",
	} {
		if got := paths.Map(pod); got != want {
			t.Errorf("Map(%s) = %s, want %s", pod, got, want)
		}
	}
	if got := paths.MapError(field.Invalid(field.NewPath("metadata", "labels"), "pg-3", "x")).Field; got != "metadata.name" {
		t.Errorf("an error on the pod-name label maps to %s, want metadata.name", got)
	}
}

func TestOtherControllers(t *testing.T) {
	tests := map[string]struct {
		doc       string
		name      string
		labels    map[string]string
		hostname  string
		tolerates bool
	}{
		"Deployment": {
			doc:    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
			name:   "web-5d4f8c7b9d-x7k2p",
			labels: map[string]string{"pod-template-hash": "5d4f8c7b9d"},
		},
		"ReplicaSet with a long name: the generated name is cut to 58 characters": {
			doc:  "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: " + string(make([]byte, 0)) + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n",
			name: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax7k2p",
		},
		"DaemonSet": {
			doc: "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\n", name: "agent-x7k2p", tolerates: true,
			labels: map[string]string{"controller-revision-hash": "5d4f8c7b9d"},
		},
		"Indexed Job": {
			doc:      "apiVersion: batch/v1\nkind: Job\nmetadata: {name: sim}\nspec: {completionMode: Indexed}\n",
			name:     "sim-0-x7k2p",
			labels:   map[string]string{"batch.kubernetes.io/job-name": "sim", "job-name": "sim", "batch.kubernetes.io/job-completion-index": "0"},
			hostname: "sim-0",
		},
		"CronJob": {
			doc:    "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\n",
			name:   "nightly-29000000-x7k2p",
			labels: map[string]string{"batch.kubernetes.io/job-name": "nightly-29000000"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pod, _ := controllerpod.Build(owner(t, tc.doc), template)
			if pod.Name != tc.name {
				t.Errorf("name %q, want %q", pod.Name, tc.name)
			}
			if pod.Namespace != "default" {
				t.Errorf("namespace %q, want default", pod.Namespace)
			}
			for k, v := range tc.labels {
				if pod.Labels[k] != v {
					t.Errorf("label %s = %q, want %q", k, pod.Labels[k], v)
				}
			}
			if pod.Spec.Hostname != tc.hostname {
				t.Errorf("hostname %q, want %q", pod.Spec.Hostname, tc.hostname)
			}
			if got := len(pod.Spec.Tolerations) > 0 && pod.Spec.Affinity != nil; got != tc.tolerates {
				t.Errorf("daemon tolerations and affinity: %v, want %v", got, tc.tolerates)
			}
		})
	}
}
