//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestConcurrentAdmissionsShareOneLookup sends 500 admissions of one
// uncached image at once: the registry sees exactly one manifest HEAD.
func TestConcurrentAdmissionsShareOneLookup(t *testing.T) {
	for name, tc := range map[string]struct {
		tag     string
		push    bool
		allowed int
		denied  int
	}{
		"existing tag": {tag: "load-present", push: true, allowed: 500},
		"missing tag":  {tag: "load-missing", denied: 500},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.push {
				if _, err := env.registry.Push("library/loadtest", tc.tag); err != nil {
					t.Fatal(err)
				}
			}
			head := "HEAD /v2/library/loadtest/manifests/" + tc.tag
			before := env.registry.Requests(head)
			pod := fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"load","namespace":"load"},"spec":{"containers":[{"name":"c","image":"docker.io/library/loadtest:%s"}]}}`, tc.tag)
			body, err := harnessReview(pod)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			res, err := loadWebhook(ctx, body, 500, 500)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res)
			if res.Allowed != tc.allowed || res.Denied != tc.denied || res.Errors != 0 {
				t.Errorf("allowed %d denied %d errors %d; want %d, %d, 0", res.Allowed, res.Denied, res.Errors, tc.allowed, tc.denied)
			}
			if n := env.registry.Requests(head) - before; n != 1 {
				t.Errorf("registry saw %d manifest HEADs for 500 admissions, want 1", n)
			}
		})
	}
}
