package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/admissible/admissible/resolvers/instrument"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/webhook/config"
	"github.com/admissible/admissible/webhook/defaults"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/admissionchain"
	"github.com/admissible/admissible/webhook/judge/circle"
	"github.com/admissible/admissible/webhook/judge/platforms"
	"github.com/admissible/admissible/webhook/judge/podadmission"
	"github.com/admissible/admissible/webhook/judge/podcreate"
	"github.com/admissible/admissible/webhook/serving"
	"github.com/admissible/admissible/webhook/serving/shed"
)

func serve(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	certDir := fs.String("cert-dir", "/tmp/k8s-webhook-server/serving-certs", "directory holding tls.crt and tls.key (reloaded when they change)")
	host := fs.String("host", "", "address to listen on (default all)")
	port := fs.Int("port", 9443, "HTTPS port of the webhook")
	healthAddr := fs.String("health-addr", ":8081", "address of the /healthz and /readyz endpoints")
	metricsAddr := fs.String("metrics-addr", ":8080", "address of the Prometheus /metrics endpoint (empty: none)")
	profileAddr := fs.String("profile-addr", "", "address serving Go's /debug/pprof/ profiles (empty: none; keep it on loopback)")
	configPath := fs.String("config", "", "configuration file (mirrors, modes, podSecurity, registries, customResources, budget, endpointTimeout, failurePolicy, maxInFlight, platforms)")
	budget := fs.Duration("budget", defaults.Budget, "time one admission may take; lookups still running then become warnings")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig for reading pull secrets (default: in-cluster, then $KUBECONFIG)")
	kubeVersion := kubeVersionFlag(fs, "the API server's, or "+podcreate.LibraryVersion+" without cluster access")
	noCluster := fs.Bool("no-cluster-credentials", false, "do not read pull secrets or namespace labels from the cluster")
	shutdownDelay := fs.Duration("shutdown-delay", 5*time.Second, "after SIGTERM, how long /readyz answers 503 while admissions are still served, before the server stops accepting and finishes those in flight")
	var lookup lookupFlags
	lookup.register(fs, defaults.EndpointTimeout)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := logr.FromSlogHandler(slog.NewJSONHandler(stderr, nil))
	routeKlog(log.WithName("client-go")) // informers and admission plugins log through klog
	ctrllog.SetLogger(log)
	fail := func(err error) int {
		fmt.Fprintf(stderr, "admissible serve: %v\n", err)
		return 2
	}

	cfg, err := config.Load(*configPath)
	if err != nil {
		return fail(err)
	}
	overrideFromFile(cfg, fs, budget, &lookup.endpointTimeout)
	if os.Getenv("GOGC") == "" {
		// An admission allocates about 40 KB (150 KB judged in full) and
		// keeps nothing: with the default GOGC=100 the collector took a
		// fifth of the CPU under load. The heap may grow to 5 times what is
		// live; GOMEMLIMIT (the manifests set the container's memory limit)
		// stays the ceiling.
		debug.SetGCPercent(400)
	}
	reg := ctrlmetrics.Registry
	requests, err := instrument.NewRequests(reg)
	if err != nil {
		return fail(err)
	}
	var mirrorSetsConfig *rest.Config
	var mirrorSets []schema.GroupVersionResource
	if !*noCluster {
		mirrorSetsConfig, mirrorSets = lookup.servedMirrorSets(cfg, *kubeconfig)
	}
	lk, err := lookup.resolver(cfg, requests)
	if err != nil {
		return fail(err)
	}
	if err := instrument.RegisterCache(lk.cache, reg); err != nil {
		return fail(err)
	}
	if lookup.hostsDir != "" {
		// Never refuse to start over a hosts.toml the nodes keep pulling
		// with: walk as they walk, and say so loudly.
		problems, err := mirrors.Check(lookup.hostsDir)
		if err != nil {
			return fail(err)
		}
		for _, p := range problems {
			switch {
			case p.Skipped:
				log.Error(nil, "containerd skips this hosts.toml: nodes pull from the registry itself, and so does admissible", "file", p.File, "key", p.Key, "problem", p.Message)
			case p.Unusable:
				log.Error(nil, "containerd tries this host on every pull, fails and moves on to the next, and so does admissible", "file", p.File, "key", p.Key, "problem", p.Message)
			default:
				log.Info("containerd ignores this hosts.toml key, and so does admissible", "file", p.File, "key", p.Key, "problem", p.Message)
			}
		}
		if err := instrument.RegisterHostsProblems(problems, reg); err != nil {
			return fail(err)
		}
	}
	measured, err := instrument.New(lk.resolver, reg)
	if err != nil {
		return fail(err)
	}

	// SIGTERM: readiness drops at once, admissions are served for
	// --shutdown-delay more, then the server stops accepting and finishes
	// the admissions in flight.
	sigCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	life := serving.NewLifecycle(sigCtx, stop, *shutdownDelay, log)
	ctx := life.Context()
	opts := cfg.EngineOptions()
	handlerOpts := []serving.HandlerOption{serving.WithBudget(*budget)}
	var platformJudge *platforms.Judge
	if !*noCluster {
		c, minor, err := startCluster(ctx, *kubeconfig, *kubeVersion, log)
		if err != nil {
			return fail(err)
		}
		if err := lk.watchMirrorSets(ctx, mirrorSetsConfig, mirrorSets, log); err != nil {
			return fail(fmt.Errorf("mirror sets: %w", err))
		}
		admission, err := podadmission.New(c.Objects, cfg.PodAdmission(), minor)
		if err != nil {
			return fail(err)
		}
		walk, err := lookup.walk(cfg)
		if err != nil {
			return fail(err)
		}
		chain, err := admissionchain.New(ctx, c.Admission, cfg.AdmissionChain())
		if err != nil {
			return fail(err)
		}
		log.Info("admission plugins run on pods", "plugins", chain.Names())
		platformJudge = platforms.Pick(nil, c.Circle, lk.platforms) // the nodes, whatever the file names
		opts = append(opts, judge.WithCredentials(c.Credentials), judge.WithPodAdmission(admission),
			judge.WithAdmissionChain(chain), judge.WithRegistryCircle(circle.New(c.Circle, walk)))
		handlerOpts = append(handlerOpts, serving.WithNamespaces(c.Namespaces))
	} else {
		if err := emulate(*kubeVersion); err != nil {
			return fail(fmt.Errorf("--kube-version: %w", err))
		}
		chain, err := admissionchain.New(ctx, admissionchain.FromObjects(nil, nil), cfg.AdmissionChain())
		if err != nil {
			return fail(err)
		}
		opts = append(opts, judge.WithAdmissionChain(chain))
		platformJudge = platforms.Pick(cfg.NodePlatforms(), nil, lk.platforms)
		log.Info("no cluster access: pull secrets and namespace labels are not read, the configured modes apply everywhere, registry circles are not looked for")
	}
	if platformJudge != nil {
		if err := platformJudge.RegisterMetrics(reg); err != nil {
			return fail(err)
		}
		opts = append(opts, judge.WithJudge(platformJudge))
	}
	handler := serving.NewHandler(judge.NewEngine(measured, opts...), handlerOpts...)
	if err := handler.RegisterMetrics(reg); err != nil {
		return fail(err)
	}

	srv := crwebhook.NewServer(crwebhook.Options{
		Host: *host, Port: *port, CertDir: *certDir, CertName: "tls.crt", KeyName: "tls.key",
	})
	limiter := shed.New(&admission.Webhook{Handler: handler, RecoverPanic: ptr(true)}, cfg.ShedOptions()...)
	if err := limiter.RegisterMetrics(reg); err != nil {
		return fail(err)
	}
	log.Info("serving", "port", *port, "certDir", *certDir, "health", *healthAddr, "metrics", *metricsAddr, "version", version)
	if err := life.Serve(srv, limiter, handler, serving.Endpoints{Health: *healthAddr, Metrics: *metricsAddr, Registry: reg, Profile: *profileAddr}); err != nil {
		fmt.Fprintf(stderr, "admissible serve: %v\n", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

func ptr[T any](v T) *T { return &v }
