// Command load measures admissible serve under load: it starts a registry on
// loopback, the webhook as its own process (no API server: AdmissionReviews
// are posted directly), and sends batches of concurrent admissions, then
// prints throughput, latency percentiles and the requests the registry saw.
//
//	go run ./hack/load [-n 5000] [-c 50]
//
// Traffic stays on 127.0.0.1 and every run is bounded in count and time.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/admissible/admissible/test/harness"
)

func main() {
	n := flag.Int("n", 5000, "admissions per scenario")
	c := flag.Int("c", 50, "concurrent admissions")
	flag.Parse()
	if err := run(*n, *c); err != nil {
		fmt.Fprintf(os.Stderr, "load: %v\n", err)
		os.Exit(1)
	}
}

func run(n, c int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "admissible-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	reg := harness.StartRegistry()
	defer reg.Close()
	if _, err := reg.Push("library/app", "1.0"); err != nil {
		return err
	}
	bin, err := harness.BuildAdmissible(root, dir)
	if err != nil {
		return err
	}
	config := fmt.Sprintf("mirrors:\n  docker.io:\n    endpoints: [%q]\n    skipFallback: true\n", reg.URL)
	wh, err := harness.StartWebhook(ctx, bin, dir, config, "--no-cluster-credentials")
	if err != nil {
		return err
	}
	defer wh.Stop()

	scenarios := []struct{ name, image string }{
		{"existing tag, cold then cached", "docker.io/library/app:1.0"},
		{"missing tag (denied), cold then cached", "docker.io/library/app:9.9"},
		{"env value with valueFrom (denied; its image already cached)", ""},
	}
	fmt.Printf("admissible serve, %d admissions per scenario, %d at a time, registry on loopback\n\n", n, c)
	for _, s := range scenarios {
		pod := fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"load"},"spec":{"containers":[{"name":"c","image":%q}]}}`, s.image)
		if s.image == "" {
			pod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"load"},"spec":{"containers":[{"name":"c","image":"docker.io/library/app:1.0","env":[{"name":"A","value":"x","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]}]}}`
		}
		body, err := harness.AdmissionReview("load", []byte(pod))
		if err != nil {
			return err
		}
		heads := reg.Requests("HEAD /v2/library/app/manifests/1.0") + reg.Requests("HEAD /v2/library/app/manifests/9.9")
		res, err := harness.Load(ctx, wh.URL, wh.CAFile, body, n, c)
		if err != nil {
			return err
		}
		heads = reg.Requests("HEAD /v2/library/app/manifests/1.0") + reg.Requests("HEAD /v2/library/app/manifests/9.9") - heads
		fmt.Printf("%s:\n  %s\n  registry manifest HEADs: %d\n\n", s.name, res, heads)
	}
	return nil
}
