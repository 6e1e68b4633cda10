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
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "builder"}, ImagePullSecrets: []corev1.LocalObjectReference{{Name: "quay"}}},
	)
	// The legacy secret is only visible to the live reader, as when the
	// cache watches dockerconfigjson secrets only.
	live := reader(pullSecret("team", "legacy", "old.example", "legacy", true))
	src := New(cached, live)

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
		"legacy secret through the live reader":   {sa: "default", names: []string{"legacy"}, want: []user{{"old.example", "legacy"}}},
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
