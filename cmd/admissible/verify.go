package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/admissible/admissible/webhook/config"
	"github.com/admissible/admissible/webhook/defaults"
	"github.com/admissible/admissible/webhook/verify"
)

func verifyCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster (default: in-cluster, then $KUBECONFIG)")
	name := fs.String("name", defaults.Name, "name of the ValidatingWebhookConfiguration")
	webhookName := fs.String("webhook", defaults.WebhookName, "name of the webhook in it")
	namespace := fs.String("namespace", "default", "namespace the canary is sent to (with a dry run: nothing is stored); must not be excluded from the webhook")
	configPath := fs.String("config", "", "configuration file the webhook runs with: its customResources must be in the rules")
	timeout := fs.Duration("timeout", 30*time.Second, "time every check together may take")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "admissible verify: %v\n", err)
		return 2
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		return fail(err)
	}
	rc, err := restConfig(*kubeconfig)
	if err != nil {
		return fail(err)
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, discoveryv1.AddToScheme, admissionregistrationv1.AddToScheme} {
		if err := add(scheme); err != nil {
			return fail(err)
		}
	}
	c, err := client.New(rc, client.Options{Scheme: scheme})
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	checks := verify.Verifier{
		Client: c, Configuration: *name, Webhook: *webhookName, Catalog: cfg.Catalog(), Namespace: *namespace,
	}.Run(ctx)
	for _, ch := range checks {
		switch {
		case ch.Err != nil:
			fmt.Fprintf(stdout, "FAIL  %s: %v\n", ch.Name, ch.Err)
		case ch.Skipped:
			fmt.Fprintf(stdout, "skip  %s: %s\n", ch.Name, ch.Detail)
		default:
			fmt.Fprintf(stdout, "ok    %s: %s\n", ch.Name, ch.Detail)
		}
	}
	if f := verify.Failed(checks); f != nil {
		fmt.Fprintf(stdout, "not enforcing: %v\n", f.Err)
		return 1
	}
	fmt.Fprintln(stdout, "enforcing: the API server calls the webhook and honours its refusals")
	return 0
}
