package harness

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// LoadResult summarises a load run.
type LoadResult struct {
	Requests  int
	Allowed   int
	Denied    int
	Errors    int
	Duration  time.Duration
	Latencies []time.Duration // sorted
}

// Percentile returns the p-th percentile latency (0 < p <= 100).
func (r LoadResult) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.Latencies))*p/100+0.5) - 1
	i = max(0, min(i, len(r.Latencies)-1))
	return r.Latencies[i]
}

// String renders the result on a few lines.
func (r LoadResult) String() string {
	return fmt.Sprintf("%d requests in %s (%.0f/s): %d allowed, %d denied, %d errors; latency p50 %s p90 %s p99 %s max %s",
		r.Requests, r.Duration.Round(time.Millisecond), float64(r.Requests)/r.Duration.Seconds(), r.Allowed, r.Denied, r.Errors,
		r.Percentile(50).Round(time.Microsecond), r.Percentile(90).Round(time.Microsecond),
		r.Percentile(99).Round(time.Microsecond), r.Percentile(100).Round(time.Microsecond))
}

// AdmissionReview wraps a Pod (as JSON) in a CREATE AdmissionReview.
func AdmissionReview(uid string, pod []byte) ([]byte, error) {
	review := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:       types.UID(uid),
			Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
			Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
			Namespace: "load", Name: "load",
			Operation: admissionv1.Create,
			Object:    runtime.RawExtension{Raw: pod},
		},
	}
	return json.Marshal(review)
}

// Load sends total AdmissionReviews to url, concurrency at a time, trusting
// the CA in caFile, and stops at ctx's end.
func Load(ctx context.Context, url, caFile string, body []byte, total, concurrency int) (LoadResult, error) {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return LoadResult{}, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return LoadResult{}, fmt.Errorf("%s: no certificate", caFile)
	}
	client := &http.Client{
		Timeout: 15 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			MaxIdleConnsPerHost: concurrency,
		},
	}
	var (
		mu  sync.Mutex
		res = LoadResult{Requests: total}
		wg  sync.WaitGroup
	)
	jobs := make(chan struct{})
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			for range jobs {
				t := time.Now()
				allowed, err := post(ctx, client, url, body)
				d := time.Since(t)
				mu.Lock()
				res.Latencies = append(res.Latencies, d)
				switch {
				case err != nil:
					res.Errors++
				case allowed:
					res.Allowed++
				default:
					res.Denied++
				}
				mu.Unlock()
			}
		})
	}
	for range total {
		if ctx.Err() != nil {
			break
		}
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	res.Duration = time.Since(start)
	sort.Slice(res.Latencies, func(i, j int) bool { return res.Latencies[i] < res.Latencies[j] })
	return res, nil
}

func post(ctx context.Context, client *http.Client, url string, body []byte) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("status %d", resp.StatusCode)
	}
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&review); err != nil {
		return false, err
	}
	if review.Response == nil {
		return false, fmt.Errorf("no response")
	}
	return review.Response.Allowed, nil
}
