//go:build resilience

package resilience

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/admissible/admissible/test/harness"
)

// faults are the ways a mirror endpoint fails, each served by faultHandler,
// except "dns", an endpoint whose host does not resolve.
var faults = []string{"hang", "reset", "500", "429", "html", "trickle", "token-hang", "dns"}

// faultHandler answers every request the way fault says.
func faultHandler(fault string, stop <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch fault {
		case "hang":
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		case "reset":
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			if tcp, ok := conn.(*net.TCPConn); ok {
				_ = tcp.SetLinger(0) // RST, not FIN
			}
			_ = conn.Close()
		case "500":
			http.Error(w, "internal error", http.StatusInternalServerError)
		case "429":
			w.Header().Set("Retry-After", "30")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"rate limit exceeded"}]}`)
		case "html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>Please log in</body></html>")
		case "trickle":
			// The status line, one byte every 200 ms.
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			for _, b := range []byte("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n\r\n") {
				_ = buf.WriteByte(b)
				if buf.Flush() != nil {
					return
				}
				select {
				case <-time.After(200 * time.Millisecond):
				case <-stop:
					return
				}
			}
		case "token-hang":
			if r.URL.Path == "/token" {
				select {
				case <-r.Context().Done():
				case <-stop:
				}
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="http://`+r.Host+`/token",service="registry"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
}

// TestFaultsAtVolume: through "admissible serve", admissions of images that
// exist, 1,000 per fault kind (times RESILIENCE_SCALE), each a fresh tag,
// whose first mirror endpoint fails in that way and whose second has the
// image: zero refusals, zero answers later than the budget, zero failed
// requests, the webhook's memory bounded.
func TestFaultsAtVolume(t *testing.T) {
	const (
		budget          = 3 * time.Second
		endpointTimeout = time.Second
		concurrency     = 64
		// slack is what an answer may take past the budget: decoding,
		// encoding, a loaded machine.
		slack = time.Second
	)
	perFault := 1000 * env.scale

	reg := harness.StartRegistry()
	defer reg.Close()
	tags := make([]string, perFault)
	for i := range tags {
		tags[i] = "t" + strconv.Itoa(i)
	}
	if err := reg.PushTags("shop/app", tags...); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	var cfg strings.Builder
	cfg.WriteString("mirrors:\n")
	for _, f := range faults {
		endpoint := "http://mirror.invalid"
		if f != "dns" {
			srv := &http.Server{Handler: faultHandler(f, stop)}
			endpoint = "http://" + harness.ServeLoopback(srv)
			defer srv.Close()
		}
		fmt.Fprintf(&cfg, "  %s.example:\n    endpoints: [%q, %q]\n    skipFallback: true\n", f, endpoint, reg.URL)
	}
	dir := filepath.Join(env.dir, "faults")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	wh, err := harness.StartWebhook(t.Context(), env.binary, dir, cfg.String(), "--no-cluster-credentials",
		"--budget", budget.String(), "--endpoint-timeout", endpointTimeout.String())
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Stop()
	c := client(t, wh.CAFile)

	var total struct{ sent, refused, late, failed, warned int64 }
	for _, f := range faults {
		var sent, refused, late, failed, warned atomic.Int64
		var mu sync.Mutex
		var latencies []time.Duration
		var examples []string
		jobs := make(chan int)
		var wg sync.WaitGroup
		start := time.Now()
		for range concurrency {
			wg.Go(func() {
				for i := range jobs {
					image := fmt.Sprintf("%s.example/shop/app:%s", f, tags[i])
					t0 := time.Now()
					a, err := admit(context.Background(), c, wh.URL, fmt.Sprintf("%s-%d", f, i), image)
					d := time.Since(t0)
					sent.Add(1)
					problem := ""
					switch {
					case err != nil:
						failed.Add(1)
						problem = err.Error()
					case !a.allowed:
						refused.Add(1)
						problem = "refused: " + a.message
					case len(a.warnings) > 0:
						warned.Add(1)
					}
					if d > budget+slack {
						late.Add(1)
						problem += fmt.Sprintf(" answered after %v", d)
					}
					mu.Lock()
					latencies = append(latencies, d)
					if problem != "" && len(examples) < 3 {
						examples = append(examples, image+": "+problem)
					}
					mu.Unlock()
				}
			})
		}
		for i := range perFault {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
		t.Logf("fault %-10s %d admissions in %v: %d refused, %d late, %d failed, %d admitted with a warning; latency p50 %v p99 %v max %v",
			f, sent.Load(), time.Since(start).Round(time.Millisecond), refused.Load(), late.Load(), failed.Load(), warned.Load(),
			latencies[len(latencies)/2].Round(time.Millisecond), latencies[len(latencies)*99/100].Round(time.Millisecond), latencies[len(latencies)-1].Round(time.Millisecond))
		if refused.Load()+late.Load()+failed.Load() > 0 {
			t.Errorf("fault %s: %d refused, %d late, %d failed; e.g. %q", f, refused.Load(), late.Load(), failed.Load(), examples)
		}
		total.sent += sent.Load()
		total.refused += refused.Load()
		total.late += late.Load()
		total.failed += failed.Load()
		total.warned += warned.Load()
	}
	rss := peakRSS(t, wh.Pid())
	t.Logf("total: %d admissions, %d fault kinds, %d refused, %d late, %d failed, %d admitted with a warning; webhook peak RSS %d MiB",
		total.sent, len(faults), total.refused, total.late, total.failed, total.warned, rss>>20)
	if rss > 512<<20 {
		t.Errorf("webhook peak RSS %d MiB", rss>>20)
	}
	if t.Failed() {
		t.Logf("webhook log (tail):\n%s", tail(wh.Log.String(), 4000))
	}
}

// peakRSS reads the peak resident set size of process pid, in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
