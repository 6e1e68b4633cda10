package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// checkOptions are the check scenario's settings.
type checkOptions struct {
	// crane is the crane binary the loop runs; none: check alone.
	crane string
	// kyverno is the Kyverno CLI run with an image-existence policy over
	// the same manifests; none: not compared.
	kyverno string
	// runs of each measurement; the median is printed.
	runs int
}

// kyvernoPolicy refuses a Pod whose image the registry does not serve:
// Kyverno's imageRegistry context fetches each container's manifest.
const kyvernoPolicy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: image-exists
spec:
  background: false
  rules:
    - name: image-exists
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        failureAction: Enforce
        message: "an image was not found"
        foreach:
          - list: "request.object.spec.containers"
            context:
              - name: mediaType
                imageRegistry:
                  reference: "{{ element.image }}"
                  jmesPath: "manifest.mediaType"
            deny:
              conditions:
                any:
                  - key: "{{ mediaType }}"
                    operator: Equals
                    value: ""
`

// check times admissible check over generated Pod manifests against a
// crane digest loop over the same distinct images, both on the loopback
// registry, each the median of co.runs runs with a cold start (a new
// process: nothing cached).
func (b *bench) check(ctx context.Context, co checkOptions) error {
	fmt.Println("check: admissible check -f DIR (one process, cold) vs a crane digest loop over the distinct images; median of", co.runs, "runs")
	fmt.Println("| manifests | distinct images | admissible check | registry requests | crane digest loop | ratio | kyverno apply | ratio |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, size := range []struct{ manifests, repos, tags int }{{1000, 10, 10}, {10000, 100, 10}} {
		dir := filepath.Join(b.dir, fmt.Sprintf("check-%d", size.manifests))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		var images []string
		for r := range size.repos {
			repo := fmt.Sprintf("check%d/repo%d", size.manifests, r)
			tags := make([]string, size.tags)
			for t := range size.tags {
				tags[t] = fmt.Sprintf("v%d", t)
				images = append(images, repo+":"+tags[t])
			}
			if err := b.reg.PushTags(repo, tags...); err != nil {
				return err
			}
		}
		for i := range size.manifests {
			doc := fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: check}\nspec:\n  containers: [{name: c, image: docker.io/%s}]\n", i, images[i%len(images)])
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("pod-%05d.yaml", i)), []byte(doc), 0o644); err != nil {
				return err
			}
		}
		before := b.reg.Count()
		checkTime, err := median(co.runs, func() error {
			out, err := exec.CommandContext(ctx, b.bin, "check", "--config", b.wh.ConfigFile, "-f", dir).CombinedOutput()
			if err != nil {
				return fmt.Errorf("admissible check: %w\n%s", err, tail(out))
			}
			return nil
		})
		if err != nil {
			return err
		}
		requests := (b.reg.Count().All - before.All) / co.runs
		craneCell, ratio := "-", "-"
		if co.crane != "" {
			craneTime, err := median(co.runs, func() error {
				for _, img := range images {
					out, err := exec.CommandContext(ctx, co.crane, "digest", "--insecure", b.reg.Host+"/"+img).CombinedOutput()
					if err != nil {
						return fmt.Errorf("crane digest %s: %w\n%s", img, err, tail(out))
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			craneCell, ratio = craneTime.Round(time.Millisecond).String(), fmt.Sprintf("%.1fx", float64(craneTime)/float64(checkTime))
		}
		kyvernoCell, kyvernoRatio := "-", "-"
		if co.kyverno != "" {
			kyvernoTime, err := b.kyverno(ctx, co, size.manifests, images)
			if err != nil {
				return err
			}
			kyvernoCell, kyvernoRatio = kyvernoTime.Round(time.Millisecond).String(), fmt.Sprintf("%.1fx", float64(kyvernoTime)/float64(checkTime))
		}
		fmt.Printf("| %d | %d | %s | %d | %s | %s | %s | %s |\n", size.manifests, len(images), checkTime.Round(time.Millisecond), requests, craneCell, ratio, kyvernoCell, kyvernoRatio)
	}
	fmt.Println()
	return nil
}

// kyverno times Kyverno's CLI applying kyvernoPolicy (with registry access)
// to the same Pods, their images named on the registry's own address (the
// CLI knows no mirrors). Every Pod must pass.
func (b *bench) kyverno(ctx context.Context, co checkOptions, manifests int, images []string) (time.Duration, error) {
	dir := filepath.Join(b.dir, fmt.Sprintf("kyverno-%d", manifests))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	policy := filepath.Join(b.dir, "kyverno-policy.yaml")
	if err := os.WriteFile(policy, []byte(kyvernoPolicy), 0o644); err != nil {
		return 0, err
	}
	for i := range manifests {
		doc := fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: check}\nspec:\n  containers: [{name: c, image: %s/%s}]\n", i, b.reg.Host, images[i%len(images)])
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("pod-%05d.yaml", i)), []byte(doc), 0o644); err != nil {
			return 0, err
		}
	}
	// The policy must refuse what does not exist, or the comparison means
	// nothing.
	control := filepath.Join(b.dir, "kyverno-missing.yaml")
	doc := fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: missing, namespace: check}\nspec:\n  containers: [{name: c, image: %s/%s-missing}]\n", b.reg.Host, images[0])
	if err := os.WriteFile(control, []byte(doc), 0o644); err != nil {
		return 0, err
	}
	// A manifest that cannot be fetched is a rule error, which an Enforce
	// policy turns into a refusal at admission.
	if out, _ := exec.CommandContext(ctx, co.kyverno, "apply", policy, "--resource", control, "--registry").CombinedOutput(); !strings.Contains(string(out), "fail: 1") && !strings.Contains(string(out), "error: 1") {
		return 0, fmt.Errorf("kyverno apply did not refuse a missing tag:\n%s", tail(out))
	}
	want := fmt.Sprintf("pass: %d, fail: 0", manifests)
	return median(co.runs, func() error {
		out, err := exec.CommandContext(ctx, co.kyverno, "apply", policy, "--resource", dir, "--registry").CombinedOutput()
		if err != nil {
			return fmt.Errorf("kyverno apply: %w\n%s", err, tail(out))
		}
		if !strings.Contains(string(out), want) {
			return fmt.Errorf("kyverno apply: no %q in its report:\n%s", want, tail(out))
		}
		return nil
	})
}

// median runs f n times and returns the median duration.
func median(n int, f func() error) (time.Duration, error) {
	var ds []time.Duration
	for range max(n, 1) {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[len(ds)/2], nil
}

// tail is the end of a command's output, for an error message.
func tail(out []byte) string {
	if len(out) > 2000 {
		out = out[len(out)-2000:]
	}
	return string(out)
}
