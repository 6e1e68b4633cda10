package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/webhook/config"
	"github.com/admissible/admissible/webhook/defaults"
	"github.com/admissible/admissible/webhook/serving"
)

func webhookConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("webhook-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rawURL := fs.String("url", "", "HTTPS URL of the webhook: its base (https://host:9443) or the served path (https://host:9443"+serving.Path+") (required)")
	caFile := fs.String("ca-file", "", "PEM file of the CA that signed the webhook's certificate (required)")
	failurePolicy := fs.String("failure-policy", "", "what the API server does when the webhook cannot answer: Ignore or Fail (default: the config's failurePolicy, else Ignore)")
	timeout := fs.Int("timeout-seconds", defaults.TimeoutSeconds, "how long the API server waits for the webhook (1 to 30)")
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
	if *rawURL == "" || *caFile == "" {
		return fail("--url and --ca-file are required")
	}
	endpoint, err := webhookURL(*rawURL)
	if err != nil {
		return fail("--url %q: %v", *rawURL, err)
	}
	if *failurePolicy != "" && *failurePolicy != config.Ignore && *failurePolicy != config.Fail {
		return fail("--failure-policy %q: must be Ignore or Fail", *failurePolicy)
	}
	if *timeout < 1 || *timeout > 30 {
		return fail("--timeout-seconds %d: must be between 1 and 30", *timeout)
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		return fail("%v", err)
	}
	if *failurePolicy == "" {
		*failurePolicy = cfg.Policy()
	}
	policy := admissionregistrationv1.FailurePolicyType(*failurePolicy)
	ca, err := os.ReadFile(*caFile)
	if err != nil {
		return fail("%v", err)
	}
	if !strings.Contains(string(ca), "-----BEGIN CERTIFICATE-----") {
		return fail("--ca-file %s: no PEM certificate in it", *caFile)
	}
	reg := serving.Registration{
		ClientConfig:       admissionregistrationv1.WebhookClientConfig{URL: &endpoint, CABundle: ca},
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

// webhookURL is the URL the API server calls: raw completed with the served
// path when it has none. A URL with another path is refused: the API server
// would call a path nothing answers at, and with failurePolicy Ignore every
// admission would pass unjudged.
func webhookURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	switch {
	case u.Scheme != "https":
		return "", errors.New("the API server only calls webhooks over https")
	case u.Host == "" || u.Hostname() == "":
		return "", errors.New("no host")
	case u.User != nil:
		return "", errors.New("the API server refuses a webhook URL with a user")
	case u.RawQuery != "" || u.ForceQuery:
		return "", errors.New("the API server refuses a webhook URL with a query")
	case u.Fragment != "":
		return "", errors.New("the API server refuses a webhook URL with a fragment")
	}
	switch u.Path {
	case "", "/":
		u.Path = serving.Path
	case serving.Path:
	default:
		return "", fmt.Errorf("admissible serve answers at %s, not %s: give the base URL (%s://%s) or %s://%s%s", serving.Path, u.Path, u.Scheme, u.Host, u.Scheme, u.Host, serving.Path)
	}
	return u.String(), nil
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
