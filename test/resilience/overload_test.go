//go:build resilience

package resilience

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/admissible/admissible/test/harness"
)

// TestOverloadSheds: through "admissible serve" with maxInFlight 4, 32
// admissions (8 times the bound) held by a registry that does not answer
// fill the process: waiting on the registry, they give their CPU slots back,
// so all 32 are taken in and judged; 200 more are each answered while those
// are still held, without a verdict: allowed with the overload warning under
// failurePolicy Ignore, refused with 429 under Fail. The shed ones are
// counted; the held ones still get their verdict once the registry lets go.
func TestOverloadSheds(t *testing.T) {
	const maxInFlight, extra = 4, 200
	const bound = 8 * maxInFlight
	for _, policy := range []string{"Ignore", "Fail"} {
		t.Run(policy, func(t *testing.T) {
			release := make(chan struct{})
			var closeOnce sync.Once
			let := func() { closeOnce.Do(func() { close(release) }) }
			defer let()
			srv := &http.Server{Handler: faultHandler("hang", release)}
			endpoint := "http://" + harness.ServeLoopback(srv)
			defer srv.Close()
			dir := filepath.Join(env.dir, "overload-"+policy)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			cfg := fmt.Sprintf("mirrors:\n  hang.example:\n    endpoints: [%q]\n    skipFallback: true\nfailurePolicy: %s\nmaxInFlight: %d\n", endpoint, policy, maxInFlight)
			wh, err := harness.StartWebhook(t.Context(), env.binary, dir, cfg, "--no-cluster-credentials",
				"--budget", "60s", "--endpoint-timeout", "60s")
			if err != nil {
				t.Fatal(err)
			}
			defer wh.Stop()
			c := client(t, wh.CAFile)

			// The held admissions go in waves of maxInFlight, each once the
			// last has given its CPU slots back: all at once, those without
			// a slot would be shed after the queue wait if the first ones
			// took longer than it to reach the registry (a loaded machine).
			held := make(chan answer, bound)
			for i := range bound {
				go func() {
					a, err := admit(context.Background(), c, wh.URL, fmt.Sprintf("held-%d", i), fmt.Sprintf("hang.example/app:held-%d", i))
					if err != nil {
						a.message = "error: " + err.Error()
					}
					held <- a
				}()
				if (i+1)%maxInFlight == 0 {
					waitForMetric(t, wh, "admissible_admissions_in_flight", float64(i+1))
					waitForMetric(t, wh, "admissible_admissions_judging", 0)
				}
			}
			if len(held) != 0 {
				t.Fatalf("a held admission was answered before the registry let go: %+v", <-held)
			}

			var wg sync.WaitGroup
			answers := make(chan answer, extra)
			errs := make(chan error, extra)
			for i := range extra {
				wg.Go(func() {
					a, err := admit(context.Background(), c, wh.URL, fmt.Sprintf("extra-%d", i), fmt.Sprintf("hang.example/app:extra-%d", i))
					if err != nil {
						errs <- err
						return
					}
					answers <- a
				})
			}
			wg.Wait()
			close(answers)
			close(errs)
			for err := range errs {
				t.Errorf("an admission beyond the bound failed: %v", err)
			}
			if len(held) != 0 {
				t.Fatalf("a held admission was answered before the registry let go: %+v", <-held)
			}
			n := 0
			for a := range answers {
				n++
				switch policy {
				case "Ignore":
					if !a.allowed || len(a.warnings) != 1 || !strings.Contains(a.warnings[0], "allowed, not judged: overloaded (32 admissions in flight in this replica)") {
						t.Errorf("answer %+v, want allowed with the overload warning", a)
					}
				case "Fail":
					if a.allowed || a.code != http.StatusTooManyRequests || !strings.Contains(a.message, "not judged: overloaded (32 admissions in flight in this replica); retry") {
						t.Errorf("answer %+v, want a 429 refusal saying overloaded", a)
					}
				}
			}
			if n != extra {
				t.Errorf("%d answers beyond the bound, want %d", n, extra)
			}
			if got, err := wh.Metric("admissible_admissions_shed_total"); err != nil || got != extra {
				t.Errorf("admissible_admissions_shed_total %v (%v), want %d", got, err, extra)
			}

			let()
			for range bound {
				select {
				case a := <-held:
					if !a.allowed || strings.Contains(strings.Join(a.warnings, "\n"), "overloaded") || !strings.Contains(strings.Join(a.warnings, "\n"), "could not verify image") {
						t.Errorf("held admission answered %+v, want judged: allowed, its image not verified", a)
					}
				case <-time.After(30 * time.Second):
					t.Fatal("a held admission got no answer after the registry let go")
				}
			}
			t.Logf("failurePolicy %s: %d admissions held, %d more answered without a verdict while they were", policy, bound, extra)
		})
	}
}

// waitForMetric waits until the webhook's metric reads want.
func waitForMetric(t *testing.T, wh *harness.Webhook, name string, want float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := wh.Metric(name)
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %v (%v), want %v", name, got, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
