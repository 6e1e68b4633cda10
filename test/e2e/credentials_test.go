//go:build e2e

package e2e

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

const (
	privateUser     = "robot"
	privatePassword = "s3cret"
)

// pullSecret renders a kubernetes.io/dockerconfigjson secret for host.
func pullSecret(namespace, name, host, user, password string) string {
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, auth)
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: %s, namespace: %s}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: %s
`, name, namespace, base64.StdEncoding.EncodeToString([]byte(cfg)))
}

func podWithSecrets(name, namespace, image string, secrets ...string) string {
	m := pod(name, namespace, image)
	if len(secrets) > 0 {
		m += "  imagePullSecrets:\n"
		for _, s := range secrets {
			m += "    - name: " + s + "\n"
		}
	}
	return m
}

func TestPullSecrets(t *testing.T) {
	// private.example is mirrored to the private registry: a node sends the
	// credential named for the mirror host to the mirror, and a credential
	// named for private.example to private.example only.
	mirrorHost := strings.TrimPrefix(env.private.URL, "http://")
	ns := "creds"
	expect(t, kubectl(t, "", "create", "namespace", ns), 0)
	for _, s := range []string{
		pullSecret(ns, "mirror-cred", mirrorHost, privateUser, privatePassword),
		pullSecret(ns, "upstream-only", "private.example", "upstream-user", "x"),
	} {
		expect(t, kubectl(t, s, "apply", "-f", "-"), 0, "created")
	}

	cases := map[string]struct {
		image    string
		secrets  []string
		exitCode int
		want     []string
		absent   []string
	}{
		"with the secret: found": {
			image: "private.example/team/app:1.0", secrets: []string{"mirror-cred"},
			want: []string{"created"}, absent: []string{"Warning"},
		},
		"with the secret: a missing tag is refused": {
			image: "private.example/team/app:9.9", secrets: []string{"mirror-cred"}, exitCode: 1,
			want: []string{webhookPrefix, `tag "9.9" not found in private.example/team/app`},
		},
		"without a secret: could not verify": {
			image: "private.example/team/app:9.9",
			want:  []string{"Warning:", "401 Unauthorized"},
		},
		"a secret for another host is not sent": {
			image: "private.example/team/app:9.9", secrets: []string{"upstream-only"},
			want: []string{"Warning:", "401 Unauthorized"},
		},
		"a missing secret is a warning": {
			image: "private.example/team/app:1.0", secrets: []string{"nope", "mirror-cred"},
			want: []string{"Warning: imagePullSecret creds/nope: not found", "created"},
		},
	}
	i := 0
	for name, tc := range cases {
		i++
		t.Run(name, func(t *testing.T) {
			r := kubectl(t, podWithSecrets(fmt.Sprintf("p%d", i), ns, tc.image, tc.secrets...), "apply", "-f", "-")
			expect(t, r, tc.exitCode, tc.want...)
			for _, a := range tc.absent {
				if strings.Contains(r.Output(), a) {
					t.Errorf("output contains %q:\n%s", a, r.Output())
				}
			}
		})
	}
	if n := env.private.Users("upstream-user"); n != 0 {
		t.Errorf("the credential named for private.example reached the mirror %d times", n)
	}
	if n := env.private.Users(privateUser); n == 0 {
		t.Error("the mirror's credential never reached it")
	}

	t.Run("service account secrets apply to a workload template", func(t *testing.T) {
		sa := "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: creds}\nimagePullSecrets: [{name: mirror-cred}]\n"
		expect(t, kubectl(t, sa, "apply", "-f", "-"), 0)
		m, _ := workload("Deployment", "sa-deploy", "private.example/team/app:1.0", "private.example/team/app:9.9")
		m = strings.ReplaceAll(m, "namespace: e2e", "namespace: creds")
		m = strings.Replace(m, "      initContainers:", "      serviceAccountName: builder\n      initContainers:", 1)
		expect(t, kubectl(t, m, "apply", "-f", "-"), 1, webhookPrefix,
			`spec.template.spec.containers[0].image: Not found: "private.example/team/app:9.9"`)
	})
}
