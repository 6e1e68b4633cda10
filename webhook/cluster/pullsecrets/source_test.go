package pullsecrets

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

func pullSecret(ns, name, host, user string, legacy bool) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	entry := `{"` + host + `": {"username": "` + user + `", "password": "pw"}}`
	if legacy {
		s.Type, s.Data = corev1.SecretTypeDockercfg, map[string][]byte{corev1.DockerConfigKey: []byte(entry)}
	} else {
		s.Type, s.Data = corev1.SecretTypeDockerConfigJson, map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths": ` + entry + `}`)}
	}
	return s
}

func reader(objs ...client.Object) client.Reader {
	scheme := runtime.NewScheme()
	_ = corev1.AddToScheme(scheme)
	return fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()
}

func TestPullCredentials(t *testing.T) {
	cached := reader(
		pullSecret("team", "harbor", "harbor.example", "pod-secret", false),
		pullSecret("team", "quay", "quay.io", "sa-secret", false),
		pullSecret("other", "harbor", "harbor.example", "other-namespace", false),
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "opaque"}, Type: corev1.SecretTypeOpaque},
		pullSecret("team", "legacy", "old.example", "legacy", true),
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "builder"}, ImagePullSecrets: []corev1.LocalObjectReference{{Name: "quay"}}},
	)
	src := New(cached)

	type user struct{ Host, User string }
	cases := map[string]struct {
		sa       string
		names    []string
		want     []user
		warnings []string
	}{
		"pod secrets": {sa: "builder", names: []string{"harbor"}, want: []user{{"harbor.example", "pod-secret"}, {"quay.io", ""}}},
		"service account's when the pod has none": {sa: "builder", want: []user{{"quay.io", "sa-secret"}, {"harbor.example", ""}}},
		"never another namespace's":               {sa: "default", names: []string{"harbor"}, want: []user{{"harbor.example", "pod-secret"}}},
		"legacy dockercfg secret":                 {sa: "default", names: []string{"legacy"}, want: []user{{"old.example", "legacy"}}},
		"missing secret is a warning":             {sa: "default", names: []string{"nope", "harbor"}, want: []user{{"harbor.example", "pod-secret"}}, warnings: []string{"imagePullSecret team/nope: not found"}},
		"wrong type is a warning":                 {sa: "default", names: []string{"opaque"}, warnings: []string{`imagePullSecret team/opaque: type "Opaque" is not a pull secret`}},
		"missing service account":                 {sa: "ghost"},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			set, warnings := src.PullCredentials(context.Background(), "team", tc.sa, tc.names)
			for _, w := range tc.want {
				ac, _ := set.For(w.Host)
				if ac.Username != w.User {
					t.Errorf("credential for %s: user %q, want %q", w.Host, ac.Username, w.User)
				}
			}
			if len(warnings) != len(tc.warnings) {
				t.Fatalf("warnings %q, want %d", warnings, len(tc.warnings))
			}
			for i, w := range tc.warnings {
				if !strings.HasPrefix(warnings[i], w) {
					t.Errorf("warning %q, want prefix %q", warnings[i], w)
				}
			}
		})
	}
}

func TestTransform(t *testing.T) {
	data := map[string][]byte{"k": []byte("v")}
	cases := map[string]struct {
		typ      corev1.SecretType
		keepData bool
	}{
		"dockerconfigjson keeps its data": {typ: corev1.SecretTypeDockerConfigJson, keepData: true},
		"dockercfg keeps its data":        {typ: corev1.SecretTypeDockercfg, keepData: true},
		"opaque loses its data":           {typ: corev1.SecretTypeOpaque},
		"a token loses its data":          {typ: corev1.SecretTypeServiceAccountToken},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			in := &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "s", ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}},
				Type:       tc.typ, Data: data, StringData: map[string]string{"k": "v"},
			}
			out, err := Transform(in)
			if err != nil {
				t.Fatal(err)
			}
			s := out.(*corev1.Secret)
			if (s.Data != nil) != tc.keepData || (s.StringData != nil) != tc.keepData {
				t.Errorf("data kept: %v, stringData kept: %v; want %v", s.Data != nil, s.StringData != nil, tc.keepData)
			}
			if s.ManagedFields != nil || s.Name != "s" || s.Type != tc.typ {
				t.Errorf("metadata changed or managed fields kept: %+v", s.ObjectMeta)
			}
		})
	}
	if out, _ := Transform("not a secret"); out != "not a secret" {
		t.Errorf("non-secret changed: %v", out)
	}
}
