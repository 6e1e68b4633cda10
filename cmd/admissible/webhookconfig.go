package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/config"
	"github.com/admissible/admissible/webhook"
)

func webhookConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("webhook-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "HTTPS URL of the webhook's validate endpoint (required)")
	caFile := fs.String("ca-file", "", "PEM file of the CA that signed the webhook's certificate (required)")
	failurePolicy := fs.String("failure-policy", "Ignore", "what the API server does when the webhook cannot answer: Ignore or Fail")
	timeout := fs.Int("timeout-seconds", 10, "how long the API server waits for the webhook (1 to 30)")
	configPath := fs.String("config", "", "configuration file: its customResources are added to the rules")
	var exclude stringList
	fs.Var(&exclude, "exclude-namespace", "namespace never sent to the webhook (repeatable; default kube-system)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "admissible webhook-config: "+format+"\n", a...)
		return 2
	}
	if *url == "" || *caFile == "" {
		return fail("--url and --ca-file are required")
	}
	if !strings.HasPrefix(*url, "https://") {
		return fail("--url %q: the API server only calls webhooks over https", *url)
	}
	policy := admissionregistrationv1.FailurePolicyType(*failurePolicy)
	if policy != admissionregistrationv1.Ignore && policy != admissionregistrationv1.Fail {
		return fail("--failure-policy %q: must be Ignore or Fail", *failurePolicy)
	}
	if *timeout < 1 || *timeout > 30 {
		return fail("--timeout-seconds %d: must be between 1 and 30", *timeout)
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		return fail("%v", err)
	}
	ca, err := os.ReadFile(*caFile)
	if err != nil {
		return fail("%v", err)
	}
	if !strings.Contains(string(ca), "-----BEGIN CERTIFICATE-----") {
		return fail("--ca-file %s: no PEM certificate in it", *caFile)
	}
	reg := webhook.Registration{
		ClientConfig:       admissionregistrationv1.WebhookClientConfig{URL: url, CABundle: ca},
		FailurePolicy:      policy,
		TimeoutSeconds:     int32(*timeout),
		ExcludedNamespaces: exclude,
	}
	out, err := yaml.Marshal(reg.Configuration(cfg.Catalog()))
	if err != nil {
		return fail("%v", err)
	}
	stdout.Write(out)
	return 0
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
