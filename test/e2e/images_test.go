//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

func TestImageReferences(t *testing.T) {
	missingDigest := "sha256:" + strings.Repeat("0", 64)
	cases := map[string]struct {
		image    string
		exitCode int
		want     []string
	}{
		"short name means docker.io/library/...:latest": {image: "nginx", want: []string{"created"}},
		"short name with a missing tag": {
			image: "nginx:9.9.9", exitCode: 1,
			want: []string{`spec.containers[0].image: Not found: "nginx:9.9.9": tag "9.9.9" not found in index.docker.io/library/nginx`},
		},
		"existing digest": {image: "quay.io/ceph/ceph@" + env.digests["ceph/ceph:v17.2.6"], want: []string{"created"}},
		"missing digest": {
			image: "quay.io/ceph/ceph@" + missingDigest, exitCode: 1,
			want: []string{"digest " + missingDigest + " not found in quay.io/ceph/ceph"},
		},
		"missing repository": {image: "quay.io/ceph/no-such-repo:v1", exitCode: 1, want: []string{"404 Not Found"}},
		"unparsable reference": {
			image: "quay.io/Ceph/Ceph:v1", exitCode: 1,
			want: []string{`spec.containers[0].image: Invalid value: "quay.io/Ceph/Ceph:v1": not a valid image reference`},
		},
	}
	i := 0
	for name, tc := range cases {
		i++
		t.Run(name, func(t *testing.T) {
			r := kubectl(t, pod("ref-"+strings.Repeat("x", i), "e2e", tc.image), "apply", "-f", "-")
			expect(t, r, tc.exitCode, tc.want...)
		})
	}
}

func TestUnverifiableImagesAreAdmittedWithAWarning(t *testing.T) {
	cases := map[string]string{
		"failing.example/app:1":                                 "500 Internal Server Error",
		"ratelimited.example/app:1":                             "429 Too Many Requests (TOOMANYREQUESTS)",
		"hanging.example/app:1":                                 "no answer within 1s",
		"html.example/app:1":                                    `not a manifest: pulls through this endpoint fail`,
		"no-such-host.invalid/app:1":                            "cannot resolve host no-such-host.invalid",
		"127.0.0.1:1/app:1":                                     "not contacted: 127.0.0.1 is a loopback address",
		"failing.example/app@sha256:" + strings.Repeat("1", 64): "500 Internal Server Error",
	}
	i := 0
	for image, detail := range cases {
		i++
		t.Run(image, func(t *testing.T) {
			name := "unverifiable-" + strings.Repeat("y", i)
			r := kubectl(t, pod(name, "e2e", image), "apply", "--dry-run=server", "-f", "-")
			expect(t, r, 0, "Warning: spec.containers[0].image: could not verify image \""+image+"\"", detail)
		})
	}
}

func TestEveryProblemInOneAnswer(t *testing.T) {
	m := `apiVersion: apps/v1
kind: Deployment
metadata: {name: many-problems, namespace: e2e}
spec:
  selector: {matchLabels: {app: many}}
  template:
    metadata: {labels: {app: many}}
    spec:
      initContainers:
        - {name: a, image: "quay.io/ceph/ceph:v17.2.31"}
      containers:
        - {name: b, image: "docker.io/library/app:2.0"}
        - {name: c, image: "quay.io/Bad/Ref"}
        - {name: d, image: "failing.example/app:1"}
`
	r := kubectl(t, m, "apply", "-f", "-")
	expect(t, r, 1, webhookPrefix, "3 problems:",
		`spec.template.spec.initContainers[0].image: Not found: "quay.io/ceph/ceph:v17.2.31"`,
		`spec.template.spec.containers[0].image: Not found: "docker.io/library/app:2.0"`,
		`spec.template.spec.containers[1].image: Invalid value: "quay.io/Bad/Ref"`,
		`Warning: spec.template.spec.containers[2].image: could not verify image "failing.example/app:1"`)
}

func TestImageVolume(t *testing.T) {
	m := func(name, ref string) string {
		return pod(name, "e2e", "docker.io/library/app:1.0") +
			"  volumes:\n    - name: data\n      image: {reference: \"" + ref + "\"}\n"
	}
	r := kubectl(t, m("image-volume-ok", "quay.io/ceph/ceph:v17.2.6"), "apply", "--dry-run=server", "-o", "jsonpath={.spec.volumes[0].image.reference}", "-f", "-")
	expect(t, r, 0)
	if r.Stdout == "" {
		// The ImageVolume feature gate is off on this API server: it drops the
		// field before admission, so there is nothing to judge.
		if env.cp.Minor >= 35 {
			t.Fatalf("API server %s dropped spec.volumes[].image", env.cp.Version)
		}
		t.Logf("API server %s drops image volumes (feature gate off)", env.cp.Version)
		return
	}
	expect(t, kubectl(t, m("image-volume-bad", "quay.io/ceph/ceph:v17.2.31"), "apply", "-f", "-"), 1,
		webhookPrefix, `spec.volumes[0].image.reference: Not found: "quay.io/ceph/ceph:v17.2.31"`)
}
