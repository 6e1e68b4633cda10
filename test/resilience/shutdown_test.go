//go:build resilience

package resilience

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/admissible/admissible/test/harness"
)

// slowRegistry is a registry whose every answer takes delay: lookups are in
// flight whenever admissions run.
func slowRegistry(t *testing.T, delay time.Duration) *harness.Registry {
	t.Helper()
	reg := harness.StartRegistry()
	t.Cleanup(reg.Close)
	if _, err := reg.Push("shop/app", "1"); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(reg.URL)
	proxy := httputil.NewSingleHostReverseProxy(u)
	slow := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		proxy.ServeHTTP(w, r)
	})}
	srv := harness.ServeLoopback(slow)
	t.Cleanup(func() { _ = slow.Close() })
	return &harness.Registry{Host: srv, URL: "http://" + srv}
}

// TestSIGTERMUnderLoad: on SIGTERM readiness drops first, admissions keep
// being answered for the shutdown delay (load balancers notice; existing
// HTTP/2 connections keep coming until the server closes them), those in
// flight when the server stops finish with their verdict, then the process
// exits 0. Load runs until the process is gone: zero failed requests, zero
// false verdicts; connections refused only once the delay is over (a load
// balancer then sends to another replica).
func TestSIGTERMUnderLoad(t *testing.T) {
	const (
		workers       = 16
		lookupDelay   = 300 * time.Millisecond
		shutdownDelay = 2 * time.Second
	)
	reg := slowRegistry(t, lookupDelay)
	dir := filepath.Join(env.dir, "sigterm")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf("mirrors:\n  shop.example:\n    endpoints: [%q]\n    skipFallback: true\n", reg.URL)
	wh, err := harness.StartWebhook(t.Context(), env.binary, dir, config, "--no-cluster-credentials", "--shutdown-delay", shutdownDelay.String())
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Stop()
	c := client(t, wh.CAFile)

	var (
		sent, answered, failed, falseVerdicts, refusedEarly, refused atomic.Int64
		signalled                                                    atomic.Int64 // unix nanos of SIGTERM
		exited                                                       atomic.Bool
		mu                                                           sync.Mutex
		failures                                                     []string
		wg                                                           sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for n := 0; !exited.Load(); n++ {
				uid := fmt.Sprintf("w%d-%d", w, n)
				// Every other admission names a tag that does not exist,
				// a fresh one each time: a lookup that takes lookupDelay.
				image, exists := "shop.example/shop/app:1", n%2 == 0
				if !exists {
					image = "shop.example/shop/app:missing-" + uid
				}
				sent.Add(1)
				a, err := admit(context.Background(), c, wh.URL, uid, image)
				problem := ""
				switch {
				case err != nil && errors.Is(err, syscall.ECONNREFUSED):
					// Nothing was sent: the listener is closed.
					refused.Add(1)
					if s := signalled.Load(); s == 0 || time.Since(time.Unix(0, s)) < shutdownDelay {
						refusedEarly.Add(1)
						problem = "refused before the shutdown delay ended: " + err.Error()
					}
					time.Sleep(10 * time.Millisecond)
				case err != nil:
					failed.Add(1)
					problem = err.Error()
				case exists && (!a.allowed || len(a.warnings) > 0):
					answered.Add(1)
					falseVerdicts.Add(1)
					problem = fmt.Sprintf("%s: allowed %t %q %q", image, a.allowed, a.message, a.warnings)
				case !exists && (a.allowed || !strings.Contains(a.message, "not found")):
					answered.Add(1)
					falseVerdicts.Add(1)
					problem = fmt.Sprintf("%s: allowed %t %q %q", image, a.allowed, a.message, a.warnings)
				default:
					answered.Add(1)
				}
				if problem != "" {
					mu.Lock()
					failures = append(failures, problem)
					mu.Unlock()
				}
			}
		})
	}

	time.Sleep(time.Second)
	if err := wh.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	signalled.Store(start.UnixNano())
	notReady := waitNotReady(wh.ReadyURL, 2*time.Second)
	if notReady < 0 {
		t.Errorf("/readyz still ready 2s after SIGTERM")
	}
	done := make(chan int, 1)
	go func() { done <- wh.Wait() }()
	var code int
	select {
	case code = <-done:
	case <-time.After(shutdownDelay + 15*time.Second):
		t.Fatalf("still running %v after SIGTERM", time.Since(start))
	}
	exitAfter := time.Since(start)
	exited.Store(true)
	wg.Wait()

	t.Logf("%d admissions sent: %d answered, %d failed, %d false verdicts, %d connections refused after the process closed its listener (%d before the delay ended); readiness dropped %v after SIGTERM, exit %d after %v",
		sent.Load(), answered.Load(), failed.Load(), falseVerdicts.Load(), refused.Load(), refusedEarly.Load(), notReady.Round(time.Millisecond), code, exitAfter.Round(time.Millisecond))
	if code != 0 {
		t.Errorf("exit code %d", code)
	}
	if exitAfter < shutdownDelay {
		t.Errorf("exited %v after SIGTERM, before the shutdown delay %v", exitAfter, shutdownDelay)
	}
	if failed.Load() != 0 || falseVerdicts.Load() != 0 || refusedEarly.Load() != 0 {
		t.Errorf("%d failed, %d false verdicts, %d refused early; first: %q", failed.Load(), falseVerdicts.Load(), refusedEarly.Load(), failures[:min(5, len(failures))])
	}
	if answered.Load() < 50 {
		t.Errorf("only %d admissions answered", answered.Load())
	}
	if t.Failed() {
		t.Logf("webhook log:\n%s", wh.Log)
	}
}

// waitNotReady polls url until it answers other than 200 and returns how
// long that took, or -1 after limit.
func waitNotReady(url string, limit time.Duration) time.Duration {
	start := time.Now()
	for time.Since(start) < limit {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return time.Since(start)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return -1
}
