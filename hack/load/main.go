// Command load measures admissible serve open-loop: AdmissionReviews are
// sent at a fixed rate, whatever the answers take (vegeta's attacker: a new
// worker when every one is busy, so a slow answer does not delay the next
// request and hide the queue), over TLS with keep-alive as the API server
// sends them. It starts a registry on loopback and the webhook as its own
// process (no API server: the reviews are posted directly), and prints, at
// each offered rate: the rate achieved, p50/p90/p99/max latency, how many
// answers were judged or shed ("allowed, not judged: overloaded"), errors,
// and the webhook's peak resident memory.
//
//	go run ./hack/load [-rates 1000,2000,4000,8000] [-duration 10s]
//
// The scenarios:
//
//   - cached: a Deployment with 3 containers of 20 env entries each, its
//     images looked up once before the run;
//   - judged: the same Deployment under a new name each time, so that no
//     admission is answered with a recent verdict: the cost of judging in
//     full (the API server's pod validation included), images cached;
//   - upstream: 1,000 Pods naming 100 distinct images on one registry host,
//     at a moderate rate, counting what the registry was asked (one ping per
//     host, one manifest request per image);
//   - memory: 10,000 distinct images looked up, then the webhook's resident
//     memory with 10,000 cached entries;
//   - check: admissible check over 1,000 Pod manifests naming 100 images,
//     and over 10,000 naming 1,000, beside a loop of crane digest over the
//     same images (-crane, the crane binary; make load builds it and
//     passes it) and, with -kyverno, kyverno apply (make load KYVERNO=1).
//
// Traffic stays on 127.0.0.1 and every run is bounded in count and time.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/admissible/admissible/test/harness"
)

func main() {
	rates := flag.String("rates", "1000,2000,3000,4000,6000,8000", "offered rates (admissions per second) of the cached scenario, comma separated")
	judgedRates := flag.String("judged-rates", "1000,2000,3000,4000", "offered rates of the judged scenario (each admission judged in full)")
	duration := flag.Duration("duration", 10*time.Second, "how long each rate is offered")
	scenarios := flag.String("scenarios", "cached,upstream,memory", "scenarios to run, comma separated")
	config := flag.String("config", "", "configuration lines added to the webhook's (for example maxInFlight: 64)")
	crane := flag.String("crane", "", "crane binary to compare check with (scenario check; none: check alone)")
	kyverno := flag.String("kyverno", "", "Kyverno CLI to compare check with (scenario check; none: not compared)")
	runs := flag.Int("runs", 3, "runs of each check measurement; the median is printed")
	profile := flag.String("profile", "", "write a CPU profile of the webhook during each offered rate of the cached scenario to PREFIX-RATE.pprof")
	flag.Parse()
	p := plan{duration: *duration, scenarios: strings.Split(*scenarios, ","), extraConfig: *config,
		check: checkOptions{crane: *crane, kyverno: *kyverno, runs: *runs}, profile: *profile}
	var err error
	if p.rates, err = parseRates("-rates", *rates); err == nil {
		p.judgedRates, err = parseRates("-judged-rates", *judgedRates)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "load: %v\n", err)
		os.Exit(2)
	}
	if err := run(p); err != nil {
		fmt.Fprintf(os.Stderr, "load: %v\n", err)
		os.Exit(1)
	}
}

// parseRates reads a comma-separated list of positive rates.
func parseRates(flagName, list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s: %q is not a positive number", flagName, s)
		}
		out = append(out, n)
	}
	return out, nil
}

// bench is the webhook under test and the registry it looks images up in.
type bench struct {
	reg *harness.Registry
	wh  *harness.Webhook
	tls *tls.Config
	// bin is the admissible binary, dir a scratch directory.
	bin, dir string
	// reusedBefore is admissible_admissions_reused_total after the last
	// attack.
	reusedBefore int
	// profile, when set, records a CPU profile of the webhook for d while
	// rate is offered.
	profile func(rate int, d time.Duration)
}

// download writes what url answers to file.
func download(url, file string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// plan is what a run measures.
type plan struct {
	// rates are offered in turn by the cached scenario, judgedRates by the
	// judged one, each for duration.
	rates, judgedRates []int
	duration           time.Duration
	scenarios          []string
	// extraConfig is added to the webhook's configuration file.
	extraConfig string
	check       checkOptions
	// profile prefixes the CPU profile files; none: no profiles.
	profile string
}

func run(p plan) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
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
	for _, repo := range []string{"library/app", "library/sidecar", "library/proxy"} {
		if _, err := reg.Push(repo, "1.0"); err != nil {
			return err
		}
	}
	bin, err := harness.BuildAdmissible(root, dir)
	if err != nil {
		return err
	}
	config := fmt.Sprintf("mirrors:\n  docker.io:\n    endpoints: [%q]\n    skipFallback: true\n%s\n", reg.URL, p.extraConfig)
	profilePort, err := harness.FreePort()
	if err != nil {
		return err
	}
	wh, err := harness.StartWebhook(ctx, bin, dir, config, "--no-cluster-credentials", fmt.Sprintf("--profile-addr=127.0.0.1:%d", profilePort))
	if err != nil {
		return err
	}
	defer wh.Stop()
	ca, err := os.ReadFile(wh.CAFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	b := &bench{reg: reg, wh: wh, tls: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, bin: bin, dir: dir}
	if p.profile != "" {
		b.profile = func(rate int, d time.Duration) {
			url := fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/profile?seconds=%d", profilePort, int(d.Seconds()))
			if err := download(url, fmt.Sprintf("%s-%d.pprof", p.profile, rate)); err != nil {
				fmt.Fprintf(os.Stderr, "load: profile: %v\n", err)
			}
		}
	}
	fmt.Printf("admissible serve, one process, open loop over TLS with keep-alive; load generator on the same machine\n\n")
	for _, s := range p.scenarios {
		// Each scenario meets a fresh process: nothing cached, memory as
		// at start.
		wh.Stop()
		if err := wh.Restart(ctx); err != nil {
			return err
		}
		b.reusedBefore = 0
		var err error
		switch strings.TrimSpace(s) {
		case "cached":
			err = b.cached(ctx, p.rates, p.duration)
		case "judged":
			err = b.judged(ctx, p.judgedRates, p.duration)
		case "upstream":
			err = b.upstream(ctx)
		case "memory":
			err = b.memory(ctx)
		case "check":
			err = b.check(ctx, p.check)
		default:
			err = fmt.Errorf("-scenarios: no scenario %q (cached, judged, upstream, memory, check)", s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// cached offers each rate in turn for duration, the same Deployment every
// time, its images cached.
func (b *bench) cached(ctx context.Context, rates []int, duration time.Duration) error {
	obj, err := os.ReadFile(deploymentFile)
	if err != nil {
		return err
	}
	body, err := review("apps/v1", "Deployment", "deployments", json.RawMessage(obj))
	if err != nil {
		return err
	}
	return b.sweep(ctx, "cached: Deployment, 3 containers x 20 env entries, images cached", rates, duration, fixed(body))
}

// judged offers each rate in turn for duration, the Deployment under a new
// name each time (the name is the only change: no verdict is reused).
func (b *bench) judged(ctx context.Context, rates []int, duration time.Duration) error {
	obj, err := os.ReadFile(deploymentFile)
	if err != nil {
		return err
	}
	const placeholder = "judged-name-placeholder"
	named := bytes.Replace(obj, []byte(`"name": "load"`), []byte(`"name": "`+placeholder+`"`), 1)
	body, err := review("apps/v1", "Deployment", "deployments", json.RawMessage(named))
	if err != nil {
		return err
	}
	before, after, ok := bytes.Cut(body, []byte(placeholder))
	if !ok {
		return fmt.Errorf("%s: no metadata.name to vary", deploymentFile)
	}
	var n atomic.Int64
	next := func(t *vegeta.Target) error {
		name := strconv.FormatInt(n.Add(1), 36)
		return target(t, slices.Concat(before, []byte("load-"+name), after))
	}
	return b.sweep(ctx, "judged: the Deployment under a new name each time (judged in full), images cached", rates, duration, next)
}

// sweep warms the process up, then offers each rate in turn for duration
// and prints a row per rate under title.
func (b *bench) sweep(ctx context.Context, title string, rates []int, duration time.Duration, tr vegeta.Targeter) error {
	if _, err := b.attack(ctx, "warm-up", 200, 2*time.Second, tr); err != nil {
		return err
	}
	fmt.Println(title)
	fmt.Println("| offered | sent | answered | judged | shed | errors | p50 | p90 | p99 | max | peak RSS |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, rate := range rates {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if b.profile != nil {
			go b.profile(rate, duration-time.Second)
		}
		r, err := b.attack(ctx, fmt.Sprint(rate), rate, duration, tr)
		if err != nil {
			return err
		}
		fmt.Println(r.row(rate))
		time.Sleep(3 * time.Second) // let the previous rate's stragglers finish
	}
	fmt.Println()
	return nil
}

// upstream sends 1,000 Pods naming 100 distinct images on one registry host
// (10 repositories x 10 tags) and counts the registry's requests.
func (b *bench) upstream(ctx context.Context) error {
	var bodies [][]byte
	for i := range 100 {
		repo, tag := fmt.Sprintf("upstream/repo%d", i/10), fmt.Sprintf("v%d", i%10)
		if _, err := b.reg.Push(repo, tag); err != nil {
			return err
		}
		body, err := review("v1", "Pod", "pods", pod("docker.io/"+repo+":"+tag))
		if err != nil {
			return err
		}
		bodies = append(bodies, body)
	}
	before := b.reg.Count()
	r, err := b.attack(ctx, "upstream", 500, 2*time.Second, cycle(bodies))
	if err != nil {
		return err
	}
	after := b.reg.Count()
	fmt.Println("upstream: 1,000 Pods at 500/s naming 100 distinct images (10 repositories x 10 tags) on one registry host")
	fmt.Printf("  %s\n", r.line())
	fmt.Printf("  registry asked: %d pings (GET /v2/), %d manifest requests, %d in all\n\n",
		after.Pings-before.Pings, after.Manifests-before.Manifests, after.All-before.All)
	return nil
}

// memory looks up 10,000 distinct images (100 repositories x 100 tags)
// and reads the webhook's resident memory with them cached.
func (b *bench) memory(ctx context.Context) error {
	const repos, tags = 100, 100
	var bodies [][]byte
	for i := range repos {
		repo := fmt.Sprintf("memory/repo%d", i)
		tagList := make([]string, tags)
		for t := range tags {
			tagList[t] = fmt.Sprintf("v%d", t)
		}
		if err := b.reg.PushTags(repo, tagList...); err != nil {
			return err
		}
		for _, tag := range tagList {
			body, err := review("v1", "Pod", "pods", pod("docker.io/"+repo+":"+tag))
			if err != nil {
				return err
			}
			bodies = append(bodies, body)
		}
	}
	r, err := b.attack(ctx, "memory", 1000, 10*time.Second, cycle(bodies))
	if err != nil {
		return err
	}
	time.Sleep(3 * time.Second) // the remembered verdicts expire
	mem, err := b.rss()
	if err != nil {
		return err
	}
	fmt.Println("memory: 10,000 distinct images looked up (100 repositories x 100 tags), 1,000/s")
	fmt.Printf("  %s\n", r.line())
	fmt.Printf("  resident memory with them cached: %s\n\n", mem)
	return nil
}

// result is one attack's figures.
type result struct {
	m            *vegeta.Metrics
	judged, shed int
	// reused were answered with a recent verdict (a subset of judged).
	reused int
	peak   memory
}

func (r result) row(rate int) string {
	l := r.m.Latencies
	return fmt.Sprintf("| %d/s | %d | %.0f/s | %d (%d reused) | %d | %d | %s | %s | %s | %s | %s |",
		rate, r.m.Requests, r.m.Throughput, r.judged, r.reused, r.shed, int(r.m.Requests)-r.judged-r.shed,
		ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max), r.peak)
}

func (r result) line() string {
	l := r.m.Latencies
	return fmt.Sprintf("%d requests, %.0f/s answered, %d judged (%d reused), %d shed, %d errors; p50 %s p90 %s p99 %s max %s; peak RSS %s",
		r.m.Requests, r.m.Throughput, r.judged, r.reused, r.shed, int(r.m.Requests)-r.judged-r.shed,
		ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max), r.peak)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

// fixed targets the same body every time.
func fixed(body []byte) vegeta.Targeter {
	return func(t *vegeta.Target) error { return target(t, body) }
}

// cycle targets the bodies in turn, over and over.
func cycle(bodies [][]byte) vegeta.Targeter {
	var i atomic.Int64
	return func(t *vegeta.Target) error {
		n := i.Add(1) - 1
		return target(t, bodies[n%int64(len(bodies))])
	}
}

func target(t *vegeta.Target, body []byte) error {
	t.Method = "POST"
	t.Body = body
	t.Header = map[string][]string{"Content-Type": {"application/json"}}
	return nil
}

// attack offers rate per second for d and collects the answers, sampling
// the webhook's resident memory meanwhile.
func (b *bench) attack(ctx context.Context, name string, rate int, d time.Duration, tr vegeta.Targeter) (result, error) {
	url := b.wh.URL
	targeter := func(t *vegeta.Target) error {
		if err := tr(t); err != nil {
			return err
		}
		t.URL = url
		return nil
	}
	attacker := vegeta.NewAttacker(vegeta.TLSConfig(b.tls), vegeta.HTTP2(true), vegeta.KeepAlive(true), vegeta.Timeout(15*time.Second),
		vegeta.Workers(64), vegeta.MaxBody(64<<10))
	var peak, peakAnon atomic.Int64
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if m, err := b.rss(); err == nil {
				if m.rss > peak.Load() {
					peak.Store(m.rss)
				}
				if m.anon > peakAnon.Load() {
					peakAnon.Store(m.anon)
				}
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	m := &vegeta.Metrics{}
	var r result
	for res := range attacker.Attack(targeter, vegeta.Rate{Freq: rate, Per: time.Second}, d, name) {
		if ctx.Err() != nil {
			attacker.Stop()
		}
		m.Add(res)
		if res.Code != 200 {
			continue
		}
		switch verdict(res.Body) {
		case "judged":
			r.judged++
		case "shed":
			r.shed++
		}
	}
	m.Close()
	close(done)
	if n, err := b.wh.Metric("admissible_admissions_reused_total"); err == nil {
		r.reused = int(n) - b.reusedBefore
		b.reusedBefore = int(n)
	}
	r.m, r.peak = m, memory{rss: peak.Load(), anon: peakAnon.Load()}
	return r, nil
}

// overloaded is how a shed answer starts its warning.
var overloaded = []byte("not judged: overloaded")

// verdict classifies an answer: judged, shed, or "" when it is not an
// AdmissionReview with a response.
func verdict(body []byte) string {
	if !bytes.Contains(body, []byte(`"response"`)) {
		return ""
	}
	if bytes.Contains(body, overloaded) {
		return "shed"
	}
	return "judged"
}

// memory is the webhook's resident memory: all of it, and the anonymous
// part (heap, stacks), without the pages of the binary it maps (shared,
// and dropped by the kernel under pressure).
type memory struct{ rss, anon int64 }

func (m memory) String() string {
	return fmt.Sprintf("%d MiB (anonymous %d MiB)", m.rss>>20, m.anon>>20)
}

// rss reads the webhook's resident memory from /proc.
func (b *bench) rss() (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", b.wh.Pid()))
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	var m memory
	s := bufio.NewScanner(f)
	for s.Scan() {
		for prefix, into := range map[string]*int64{"VmRSS:": &m.rss, "RssAnon:": &m.anon} {
			if rest, ok := strings.CutPrefix(s.Text(), prefix); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err != nil {
					return memory{}, err
				}
				*into = kb << 10
			}
		}
	}
	if m.rss == 0 {
		return memory{}, fmt.Errorf("no VmRSS")
	}
	return m, nil
}

// review wraps obj in a CREATE AdmissionReview of the given kind.
func review(apiVersion, kind, resource string, obj any) ([]byte, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	group, version, ok := strings.Cut(apiVersion, "/")
	if !ok {
		group, version = "", apiVersion
	}
	return json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:       types.UID("2f6a8b1e-load"),
			Kind:      metav1.GroupVersionKind{Group: group, Version: version, Kind: kind},
			Resource:  metav1.GroupVersionResource{Group: group, Version: version, Resource: resource},
			Namespace: "load", Name: "load", Operation: admissionv1.Create,
			UserInfo: authenticationv1.UserInfo{Username: "system:serviceaccount:kube-system:replicaset-controller"},
			Object:   runtime.RawExtension{Raw: raw},
		},
	})
}

// deploymentFile is a realistic Deployment: 3 containers of 20 env
// entries, ports, probes, resources and mounts (the webhook's benchmarks
// judge the same file).
const deploymentFile = "webhook/judge/testdata/deployment-3x20.json"

// pod is a Pod with one container running image.
func pod(image string) map[string]any {
	return map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "p", "namespace": "load"},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "c", "image": image}}},
	}
}
