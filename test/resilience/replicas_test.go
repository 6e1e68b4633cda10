//go:build resilience

package resilience

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/admissible/admissible/test/harness"
)

// TestReplicasDying: three replicas behind HAProxy (standing in for a
// Service: TCP, readiness checked every 200 ms), one of them stopped with
// SIGTERM every 2 s and started again, while admissions run over 16 HTTP/2
// connections: zero failed admissions, zero false verdicts.
func TestReplicasDying(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		haproxy, err = exec.LookPath("/usr/sbin/haproxy")
	}
	if err != nil {
		t.Fatalf("haproxy not installed (.ci/run installs Debian's haproxy): %v", err)
	}
	const (
		workers       = 16
		shutdownDelay = time.Second
	)
	kills := 6 * env.scale

	reg := harness.StartRegistry()
	defer reg.Close()
	if _, err := reg.Push("shop/app", "1"); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf("mirrors:\n  shop.example:\n    endpoints: [%q]\n    skipFallback: true\n", reg.URL)
	var replicas []*harness.Webhook
	var cas []string
	var servers strings.Builder
	for i := range 3 {
		dir := filepath.Join(env.dir, fmt.Sprintf("replica%d", i))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		wh, err := harness.StartWebhook(t.Context(), env.binary, dir, config, "--no-cluster-credentials", "--shutdown-delay", shutdownDelay.String())
		if err != nil {
			t.Fatal(err)
		}
		defer wh.Stop()
		replicas = append(replicas, wh)
		cas = append(cas, wh.CAFile)
		u, _ := url.Parse(wh.URL)
		fmt.Fprintf(&servers, "  server r%d %s check port %d\n", i, u.Host, wh.HealthPort)
	}
	front, err := freeLoopback()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(env.dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(`global
  maxconn 1000
defaults
  mode tcp
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch
frontend webhook
  bind `+front+`
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /readyz
  default-server inter 200ms fall 1 rise 1
`+servers.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	lb := exec.Command(haproxy, "-f", cfg, "-db")
	var lbLog strings.Builder
	lb.Stdout, lb.Stderr = &lbLog, &lbLog
	if err := lb.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lb.Process.Kill(); _ = lb.Wait() }()
	if err := waitListening(front, 10*time.Second); err != nil {
		t.Fatalf("haproxy: %v\n%s", err, lbLog.String())
	}
	frontURL := "https://" + front + "/validate"

	var (
		sent, failed, falseVerdicts atomic.Int64
		stop                        atomic.Bool
		mu                          sync.Mutex
		problems                    []string
		wg                          sync.WaitGroup
	)
	for w := range workers {
		c := client(t, cas...) // one HTTP/2 connection per worker
		wg.Go(func() {
			for n := 0; !stop.Load(); n++ {
				uid := fmt.Sprintf("w%d-%d", w, n)
				image, exists := "shop.example/shop/app:1", n%2 == 0
				if !exists {
					image = "shop.example/shop/app:missing-" + uid
				}
				sent.Add(1)
				a, err := admit(context.Background(), c, frontURL, uid, image)
				problem := ""
				switch {
				case err != nil:
					failed.Add(1)
					problem = err.Error()
				case exists && (!a.allowed || len(a.warnings) > 0), !exists && (a.allowed || !strings.Contains(a.message, "not found")):
					falseVerdicts.Add(1)
					problem = fmt.Sprintf("%s: allowed %t %q %q", image, a.allowed, a.message, a.warnings)
				}
				if problem != "" {
					mu.Lock()
					problems = append(problems, problem)
					mu.Unlock()
				}
			}
		})
	}
	start := time.Now()
	for i := range kills {
		time.Sleep(2 * time.Second)
		wh := replicas[i%3]
		if err := wh.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := wh.Wait(); code != 0 {
			t.Errorf("replica %d exited %d", i%3, code)
		}
		if err := wh.Restart(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second)
	stop.Store(true)
	wg.Wait()
	t.Logf("%d admissions in %v through HAProxy, %d replicas stopped with SIGTERM and restarted: %d failed, %d false verdicts",
		sent.Load(), time.Since(start).Round(time.Millisecond), kills, failed.Load(), falseVerdicts.Load())
	if failed.Load() != 0 || falseVerdicts.Load() != 0 {
		t.Errorf("first problems: %q", problems[:min(5, len(problems))])
	}
	if sent.Load() < 100 {
		t.Errorf("only %d admissions sent", sent.Load())
	}
}

func freeLoopback() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitListening(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
