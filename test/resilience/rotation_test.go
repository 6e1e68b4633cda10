//go:build resilience

package resilience

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/admissible/admissible/test/harness"
)

// TestCertificateRotationUnderLoad: tls.crt and tls.key are replaced every
// 300 ms while admissions run, each on a new TLS connection: the server
// presents the new certificates without a restart, and no handshake and no
// request fails.
func TestCertificateRotationUnderLoad(t *testing.T) {
	const (
		workers   = 8
		rotations = 10
		every     = 300 * time.Millisecond
	)
	reg := harness.StartRegistry()
	defer reg.Close()
	if _, err := reg.Push("shop/app", "1"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(env.dir, "rotation")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf("mirrors:\n  shop.example:\n    endpoints: [%q]\n    skipFallback: true\n", reg.URL)
	wh, err := harness.StartWebhook(t.Context(), env.binary, dir, config, "--no-cluster-credentials")
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Stop()
	c := client(t, wh.CAFile)
	c.Transport.(*http.Transport).DisableKeepAlives = true
	var (
		sent, failed atomic.Int64
		stop         atomic.Bool
		mu           sync.Mutex
		serials      = map[string]int{}
		errs         []string
		wg           sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for n := 0; !stop.Load(); n++ {
				sent.Add(1)
				serial, err := handshakeAndAdmit(c, wh.URL, fmt.Sprintf("r%d-%d", w, n))
				mu.Lock()
				if err != nil {
					failed.Add(1)
					errs = append(errs, err.Error())
				} else {
					serials[serial]++
				}
				mu.Unlock()
			}
		})
	}
	certDir := filepath.Dir(wh.CAFile)
	for i := range rotations {
		time.Sleep(every)
		if err := harness.RotateServingCert(certDir, int64(100+i)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(every)
	stop.Store(true)
	wg.Wait()
	t.Logf("%d admissions over new connections, %d certificate rotations, %d failed handshakes or requests; serials presented: %v",
		sent.Load(), rotations, failed.Load(), serials)
	if failed.Load() != 0 {
		t.Errorf("%d failed; first: %q", failed.Load(), errs[:min(3, len(errs))])
	}
	if len(serials) < rotations/2 {
		t.Errorf("only %d certificates presented over %d rotations: not reloaded?", len(serials), rotations)
	}
	if serials["109"] == 0 {
		t.Errorf("the last certificate (serial 109) never presented: %v", serials)
	}
}

// handshakeAndAdmit sends one admission of an existing image and returns
// the serial number of the certificate the server presented.
func handshakeAndAdmit(c *http.Client, url, uid string) (string, error) {
	var serial string
	tr := c.Transport.(*http.Transport)
	ctx := context.Background()
	cfg := tr.TLSClientConfig.Clone()
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		serial = cs.PeerCertificates[0].SerialNumber.String()
		return nil
	}
	cc := &http.Client{Timeout: c.Timeout, Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true, ForceAttemptHTTP2: true}}
	a, err := admit(ctx, cc, url, uid, "shop.example/shop/app:1")
	if err != nil {
		return "", err
	}
	if !a.allowed || len(a.warnings) > 0 {
		return "", fmt.Errorf("verdict: allowed %t %q %q", a.allowed, a.message, a.warnings)
	}
	return serial, nil
}
