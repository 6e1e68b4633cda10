package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	ctrl "sigs.k8s.io/controller-runtime/pkg/log"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	judge "github.com/admissible/admissible/webhook"
)

// validatePath is where the webhook answers AdmissionReviews.
const validatePath = "/validate"

func serve(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	certDir := fs.String("cert-dir", "/tmp/k8s-webhook-server/serving-certs", "directory holding tls.crt and tls.key (reloaded when they change)")
	host := fs.String("host", "", "address to listen on (default all)")
	port := fs.Int("port", 9443, "HTTPS port of the webhook")
	healthAddr := fs.String("health-addr", ":8081", "address of the /healthz and /readyz endpoints")
	configPath := fs.String("config", "", "configuration file (mirrors)")
	budget := fs.Duration("budget", 8*time.Second, "time one admission may take; lookups still running then become warnings")
	endpointTimeout := fs.Duration("endpoint-timeout", 3*time.Second, "time one registry endpoint may take to answer")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := logr.FromSlogHandler(slog.NewJSONHandler(stderr, nil))
	ctrl.SetLogger(log)

	cfg, err := loadConfig(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "admissible serve: %v\n", err)
		return 2
	}
	engine, err := cfg.engine(*endpointTimeout)
	if err != nil {
		fmt.Fprintf(stderr, "admissible serve: %v\n", err)
		return 2
	}

	srv := crwebhook.NewServer(crwebhook.Options{
		Host: *host, Port: *port, CertDir: *certDir, CertName: "tls.crt", KeyName: "tls.key",
	})
	srv.Register(validatePath, &admission.Webhook{Handler: judge.NewHandler(engine, judge.WithBudget(*budget))})

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	health := &http.Server{Addr: *healthAddr, Handler: healthMux(srv), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := health.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error(err, "health endpoint stopped")
			stop()
		}
	}()
	defer health.Close()

	log.Info("serving", "port", *port, "certDir", *certDir, "health", *healthAddr, "version", version)
	if err := srv.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "admissible serve: %v\n", err)
		return 1
	}
	return 0
}

// healthMux answers /healthz while the process runs and /readyz once the
// webhook server answers TLS with its certificate.
func healthMux(srv crwebhook.Server) *http.ServeMux {
	ready := srv.StartedChecker()
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := ready(r); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}
