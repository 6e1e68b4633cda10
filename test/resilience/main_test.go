//go:build resilience

package resilience

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/admissible/admissible/test/harness"
)

// env is what every test shares.
var env struct {
	binary string
	dir    string
	// scale multiplies the counts of admissions (RESILIENCE_SCALE, default 1).
	scale int
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "admissible-resilience-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	env.dir = dir
	env.scale = 1
	if s := os.Getenv("RESILIENCE_SCALE"); s != "" {
		if env.scale, err = strconv.Atoi(s); err != nil || env.scale < 1 {
			fmt.Fprintf(os.Stderr, "RESILIENCE_SCALE=%q: want a positive integer\n", s)
			return 1
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if env.binary, err = harness.BuildAdmissible(root, dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// client speaks to a webhook as the API server does: HTTP/2 over TLS,
// trusting the webhooks' CAs.
func client(t *testing.T, caFiles ...string) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	for _, f := range caFiles {
		ca, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !pool.AppendCertsFromPEM(ca) {
			t.Fatalf("%s: no certificate", f)
		}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 64,
	}}
}

// answer is the webhook's answer to one admission.
type answer struct {
	allowed  bool
	code     int32
	message  string
	warnings []string
}

// admit sends one CREATE of a pod naming image and returns the answer.
func admit(ctx context.Context, c *http.Client, url, uid, image string) (answer, error) {
	// Named after the uid: no two admissions are the same object, so each
	// is judged (none is given an earlier allowed answer again).
	pod := fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":%q,"namespace":"load"},"spec":{"containers":[{"name":"c","image":%q}]}}`, "p-"+strings.ToLower(uid), image)
	body, err := harness.AdmissionReview(uid, []byte(pod))
	if err != nil {
		return answer{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return answer{}, fmt.Errorf("status %d", resp.StatusCode)
	}
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&review); err != nil {
		return answer{}, err
	}
	if review.Response == nil {
		return answer{}, fmt.Errorf("no response")
	}
	if string(review.Response.UID) != uid {
		return answer{}, fmt.Errorf("answer for uid %q, want %q", review.Response.UID, uid)
	}
	a := answer{allowed: review.Response.Allowed, warnings: review.Response.Warnings}
	if review.Response.Result != nil {
		a.message, a.code = review.Response.Result.Message, review.Response.Result.Code
	}
	return a, nil
}
