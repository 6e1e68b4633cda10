package serving

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/pprof"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
)

// Lifecycle is a serving process's life: serving until a signal, then
// not ready but still serving for a delay (load balancers and Service
// endpoints notice), then stopping: the server stops accepting and
// finishes the admissions in flight.
type Lifecycle struct {
	// ctx ends once the delay after the signal has passed.
	ctx context.Context
	// stop ends the signal context: a side server that cannot listen
	// stops the process.
	stop     func()
	draining atomic.Bool
	log      logr.Logger
}

// NewLifecycle starts the life of a process that stops when signals ends
// (a SIGTERM), delay after it; stop ends signals.
func NewLifecycle(signals context.Context, stop func(), delay time.Duration, log logr.Logger) *Lifecycle {
	ctx, stopServing := context.WithCancel(context.Background())
	l := &Lifecycle{ctx: ctx, stop: stop, log: log}
	go func() {
		<-signals.Done()
		l.draining.Store(true)
		log.Info("shutting down: not ready, serving until the delay ends, then finishing admissions in flight", "delay", delay.String())
		select {
		case <-time.After(delay):
		case <-ctx.Done():
		}
		stopServing()
	}()
	return l
}

// Context ends when the process stops serving: informers and servers
// started with it stop then.
func (l *Lifecycle) Context() context.Context { return l.ctx }

// Endpoints are the side servers' addresses; an empty one is not served.
type Endpoints struct {
	// Health serves /healthz and /readyz.
	Health string
	// Metrics serves Prometheus' /metrics from Registry.
	Metrics  string
	Registry prometheus.Gatherer
	// Profile serves Go's /debug/pprof/ profiles.
	Profile string
}

// Serve registers admissions on srv at Path, starts the side servers, and
// serves until the lifecycle ends. Admissions are served with request
// contexts the server's shutdown does not cancel, so one in flight when
// the server stops still gets its verdict.
func (l *Lifecycle) Serve(srv crwebhook.Server, admissions http.Handler, h *Handler, eps Endpoints) error {
	srv.Register(Path, detached(admissions))
	if eps.Health != "" {
		l.background("health", eps.Health, l.healthMux(srv, h))
	}
	if eps.Metrics != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(eps.Registry, promhttp.HandlerOpts{}))
		l.background("metrics", eps.Metrics, mux)
	}
	if eps.Profile != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		l.background("profile", eps.Profile, mux)
	}
	return srv.Start(l.ctx)
}

// detached serves h with request contexts that the server's shutdown does
// not cancel (controller-runtime derives them from the context Start is
// given).
func detached(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
	})
}

// background serves h on addr until the lifecycle ends; a server that
// cannot listen stops the process.
func (l *Lifecycle) background(what, addr string, h http.Handler) {
	s := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := s.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.log.Error(err, "endpoint stopped", "endpoint", what, "addr", addr)
			l.stop()
		}
	}()
	go func() {
		<-l.ctx.Done()
		_ = s.Close()
	}()
}

// healthMux answers /healthz while the process runs and /readyz once the
// webhook server answers TLS with its certificate, until draining.
// /readyz also says when the last AdmissionReview arrived: a webhook that
// is ready but never called is registered wrong (or not at all); that does
// not make it unready.
func (l *Lifecycle) healthMux(srv crwebhook.Server, h *Handler) *http.ServeMux {
	ready := srv.StartedChecker()
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if l.draining.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		if err := ready(r); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
		if last := h.LastAdmission(); last.IsZero() {
			fmt.Fprintln(w, "last admission: none since start")
		} else {
			fmt.Fprintf(w, "last admission: %s (%s ago)\n", last.UTC().Format(time.RFC3339), time.Since(last).Round(time.Second))
		}
	})
	return mux
}
