package crio_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/sirupsen/logrus"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/crio"
	"github.com/admissible/admissible/resolvers/registry"
)

// The differential: CRI-O's pull as containers/image performs it
// (oraclePull: its short-name resolution, docker.NewReference and
// NewImageSource over the same registries.conf files) and admissible's
// walk (crio.Resolver over the real registry.Client), on the same loopback
// hosts (faults_test.go) for each generated configuration (cases_test.go).
// A false refusal (admissible NotFound, the node pulls) and a silent admit
// (admissible Found, the node's pull fails) fail the test; every other
// difference must be one of differences, with its reason.

// outcome is what the node's pull gets.
type outcome string

const (
	pulls    outcome = "pulls"
	notFound outcome = "fails: every host asked answered 404"
	refuses  outcome = "fails: refused by the configuration, no host asked"
	fails    outcome = "fails otherwise"
)

// Allowed differences: admissible's answer is not the oracle's, for a
// reason this project chose.
const (
	authority = "the registry's own location answers 404 after a mirror failed (5xx, 401, dead, hung, https to an http host): " +
		"CRI-O's pull fails with the mirror's error and the registry's, admissible refuses, the registry being authoritative (as for containerd)"
	token401 = "the registry answers 401 to a pull token (Docker Hub's and quay.io's answer for a repository that does not exist): " +
		"CRI-O says unauthorized, admissible refuses (not found, or not allowed with the pod's credentials)"
)

func TestDifferentialCRIO(t *testing.T) {
	cases := matrix()
	if len(cases) < 150 {
		t.Fatalf("matrix has %d cases, want at least 150", len(cases))
	}
	// containers/image logs through logrus's standard logger.
	logrus.SetOutput(io.Discard)
	t.Cleanup(func() { logrus.SetOutput(os.Stderr) })

	type tally struct{ agree, total int }
	var (
		mu          sync.Mutex
		byOutcome   = map[outcome]*tally{pulls: {}, notFound: {}, refuses: {}, fails: {}}
		differences = map[string]int{}
	)
	work := make(chan diffCase)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for c := range work {
				t.Run(c.String(), func(t *testing.T) {
					oracle, reason := c.run(t)
					mu.Lock()
					defer mu.Unlock()
					tl := byOutcome[oracle]
					tl.total++
					switch {
					case reason == "":
						tl.agree++
					case reason != "-":
						differences[reason]++
					}
				})
			}
		})
	}
	for _, c := range cases {
		work <- c
	}
	close(work)
	wg.Wait()

	total := 0
	for _, o := range []outcome{pulls, notFound, refuses, fails} {
		t.Logf("CRI-O's pull %-52s admissible agrees on %d/%d", o, byOutcome[o].agree, byOutcome[o].total)
		total += byOutcome[o].total
	}
	var reasons []string
	for r := range differences {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		t.Logf("allowed difference (%d): %s", differences[r], r)
	}
	t.Logf("%d configurations: %s", total, labels(cases))
}

// run sets the case up, pulls with the oracle, resolves with admissible and
// compares. reason is "" when they agree, the allowed difference, or "-"
// for a failure already reported.
func (c diffCase) run(t *testing.T) (outcome, string) {
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	written := strings.ReplaceAll(c.written, "{d}", d.String())

	w := newWorld(t)
	repos := map[string][]string{}
	kinds := map[string]fault{}
	for _, h := range c.hosts {
		repos[h.name] = append(repos[h.name], h.repo)
		kinds[h.name] = c.faults[h.name]
	}
	for h, f := range c.fixed {
		repos[h.name] = append(repos[h.name], h.repo)
		kinds[h.name] = f
	}
	for name, f := range kinds {
		w.add(name, f, img, repos[name])
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "registries.conf")
	dropIns := filepath.Join(dir, "registries.conf.d")
	if err := os.WriteFile(file, []byte(c.conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dropIns, 0o700); err != nil {
		t.Fatal(err)
	}
	if c.dropIn != "" {
		if err := os.WriteFile(filepath.Join(dropIns, "50-case.conf"), []byte(c.dropIn), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// The oracle: CRI-O's pull. A host that never answers holds it until
	// the deadline, as it would hold a node's pull.
	sys, err := oracleSystem(dir, file, dropIns, w.proxyURL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	oracleDigest, oracleErr := oraclePull(ctx, sys, written, c.mode)
	cancel()
	oracleAsked := w.takeAsked()

	// admissible.
	client := registry.New(
		registry.WithTimeout(2*time.Second),
		registry.WithTransport(&http.Transport{Proxy: http.ProxyURL(w.proxyURL)}),
		registry.WithAllowedNetworks(netip.MustParsePrefix("127.0.0.0/8")),
	)
	r, err := crio.New(client, crio.WithRegistriesConf(file), crio.WithRegistriesConfDir(dropIns), crio.WithShortNameMode(c.mode))
	if err != nil {
		t.Fatalf("admissible refuses the configuration CRI-O reads: %v", err)
	}
	ref, err := resolvers.ParseReference(written)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(t.Context(), 20*time.Second)
	res := r.Resolve(ctx, resolvers.Query{Ref: ref, Written: written})
	cancel()
	ours := w.takeAsked()

	for name, f := range kinds {
		if (f == unused || f == blocked) && (oracleAsked[name] || ours[name]) {
			t.Errorf("%s (%s) was asked: oracle %t, admissible %t", name, f, oracleAsked[name], ours[name])
		}
	}

	var oracle outcome
	switch {
	case oracleErr == nil:
		oracle = pulls
	case len(oracleAsked) == 0:
		oracle = refuses
	case onlyMissing(oracleAsked, kinds):
		oracle = notFound
	default:
		oracle = fails
	}
	want := resolvers.Undetermined
	switch oracle {
	case pulls:
		want = resolvers.Found
	case notFound, refuses:
		want = resolvers.NotFound
	}
	got := res.Verdict
	detail := "CRI-O: " + string(oracle) + " (" + errString(oracleErr) + "); admissible: " + got.String() + ": " + res.Summary()
	t.Log(detail)
	switch {
	case got == resolvers.NotFound && oracle == pulls:
		t.Errorf("FALSE REFUSAL: %s", detail)
		return oracle, "-"
	case got == resolvers.Found && oracle != pulls:
		t.Errorf("SILENT ADMIT: %s", detail)
		return oracle, "-"
	case got == want && got == resolvers.Found && res.Digest != oracleDigest:
		t.Errorf("digest %s, CRI-O pulls %s: %s", res.Digest, oracleDigest, detail)
		return oracle, "-"
	case got == want && oracle == refuses && res.Refused == "":
		t.Errorf("not a refusal: %s", detail)
		return oracle, "-"
	case got == want:
		return oracle, ""
	}
	reason := c.explain(res, oracle)
	if reason == "" {
		t.Errorf("admissible %s, want %s: %s", got, want, detail)
		return oracle, "-"
	}
	return oracle, reason
}

// explain returns the allowed difference that accounts for res, "" for
// none: a refusal where CRI-O's pull failed otherwise, decided by a
// registry's own answer.
func (c diffCase) explain(res resolvers.Result, oracle outcome) string {
	if res.Verdict != resolvers.NotFound || oracle != fails {
		return ""
	}
	for _, a := range res.Attempts {
		host := a.Endpoint.Host
		if !contains(c.primaries, host) || a.Verdict != resolvers.NotFound {
			continue
		}
		switch c.faults[host] {
		case auth401:
			return token401
		case missing:
			return authority
		}
	}
	return ""
}

// onlyMissing: every host asked is a registry without the image.
func onlyMissing(asked map[string]bool, kinds map[string]fault) bool {
	for h := range asked {
		if kinds[h] != missing {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer before the deadline: " + err.Error()
	}
	return err.Error()
}
