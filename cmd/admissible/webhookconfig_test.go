package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/webhook/judge/kinds"
	"github.com/admissible/admissible/webhook/serving"
)

// caPEM returns a self-signed CA certificate in PEM.
func caPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "admissible test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestWebhookConfigRefuses(t *testing.T) {
	ca := writeFile(t, "ca.crt", string(caPEM(t)))
	notPEM := writeFile(t, "ca.txt", "not a certificate\n")
	missing := ca + ".missing"
	const url = "https://admissible.example:9443/validate"
	tests := map[string]struct {
		args       []string
		wantStderr string
	}{
		"no flags": {
			wantStderr: "admissible webhook-config: --url and --ca-file are required\n",
		},
		"no --ca-file": {
			args:       []string{"--url", url},
			wantStderr: "admissible webhook-config: --url and --ca-file are required\n",
		},
		"no --url": {
			args:       []string{"--ca-file", ca},
			wantStderr: "admissible webhook-config: --url and --ca-file are required\n",
		},
		"http URL": {
			args:       []string{"--url", "http://admissible.example:9443/validate", "--ca-file", ca},
			wantStderr: `admissible webhook-config: --url "http://admissible.example:9443/validate": the API server only calls webhooks over https` + "\n",
		},
		"another path": {
			args:       []string{"--url", "https://admissible.example:9443/webhook", "--ca-file", ca},
			wantStderr: `admissible webhook-config: --url "https://admissible.example:9443/webhook": admissible serve answers at /validate, not /webhook: give the base URL (https://admissible.example:9443) or https://admissible.example:9443/validate` + "\n",
		},
		"a path below": {
			args:       []string{"--url", "https://admissible.example/validate/pods", "--ca-file", ca},
			wantStderr: `admissible webhook-config: --url "https://admissible.example/validate/pods": admissible serve answers at /validate, not /validate/pods`,
		},
		"a query": {
			args:       []string{"--url", "https://admissible.example/validate?x=1", "--ca-file", ca},
			wantStderr: `admissible webhook-config: --url "https://admissible.example/validate?x=1": the API server refuses a webhook URL with a query` + "\n",
		},
		"no host": {
			args:       []string{"--url", "https:///validate", "--ca-file", ca},
			wantStderr: `admissible webhook-config: --url "https:///validate": no host` + "\n",
		},
		"bad failure policy": {
			args:       []string{"--url", url, "--ca-file", ca, "--failure-policy", "ignore"},
			wantStderr: `admissible webhook-config: --failure-policy "ignore": must be Ignore or Fail` + "\n",
		},
		"timeout too long": {
			args:       []string{"--url", url, "--ca-file", ca, "--timeout-seconds", "31"},
			wantStderr: "admissible webhook-config: --timeout-seconds 31: must be between 1 and 30\n",
		},
		"timeout zero": {
			args:       []string{"--url", url, "--ca-file", ca, "--timeout-seconds", "0"},
			wantStderr: "admissible webhook-config: --timeout-seconds 0: must be between 1 and 30\n",
		},
		"missing CA file": {
			args:       []string{"--url", url, "--ca-file", missing},
			wantStderr: "admissible webhook-config: open " + missing + ": no such file or directory\n",
		},
		"CA file without a certificate": {
			args:       []string{"--url", url, "--ca-file", notPEM},
			wantStderr: "admissible webhook-config: --ca-file " + notPEM + ": no PEM certificate in it\n",
		},
		"unknown flag": {
			args:       []string{"--url", url, "--ca-file", ca, "--namespace", "x"},
			wantStderr: "flag provided but not defined: -namespace\n",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got := runCmd(t, "", append([]string{"webhook-config"}, tc.args...)...)
			if got.code != 2 {
				t.Errorf("exit code = %d, want 2", got.code)
			}
			if got.stdout != "" {
				t.Errorf("stdout = %q, want nothing", got.stdout)
			}
			if !strings.HasPrefix(got.stderr, tc.wantStderr) {
				t.Errorf("stderr = %q, want it to start with %q", got.stderr, tc.wantStderr)
			}
		})
	}
}

func TestWebhookConfig(t *testing.T) {
	pemBytes := caPEM(t)
	ca := writeFile(t, "ca.crt", string(pemBytes))
	const url = "https://admissible.example:9443/validate"
	ignore, fail := admissionregistrationv1.Ignore, admissionregistrationv1.Fail
	tests := map[string]struct {
		args        []string
		wantURL     string // default url
		wantPolicy  admissionregistrationv1.FailurePolicyType
		wantTimeout int32
		wantExclude []string
	}{
		"defaults": {
			args:       []string{"--url", url, "--ca-file", ca},
			wantPolicy: ignore, wantTimeout: 10, wantExclude: []string{"kube-system"},
		},
		"base URL: completed with the served path": {
			args:    []string{"--url", "https://admissible.example:9443", "--ca-file", ca},
			wantURL: "https://admissible.example:9443" + serving.Path, wantPolicy: ignore, wantTimeout: 10, wantExclude: []string{"kube-system"},
		},
		"base URL with a slash": {
			args:    []string{"--url", "https://10.0.0.1:9443/", "--ca-file", ca},
			wantURL: "https://10.0.0.1:9443/validate", wantPolicy: ignore, wantTimeout: 10, wantExclude: []string{"kube-system"},
		},
		"Fail, shorter timeout, excluded namespaces": {
			args: []string{
				"-url", url, "-ca-file", ca, "--failure-policy", "Fail", "--timeout-seconds", "5",
				"--exclude-namespace", "kube-system", "--exclude-namespace", "rook-ceph",
			},
			wantPolicy: fail, wantTimeout: 5, wantExclude: []string{"kube-system", "rook-ceph"},
		},
		"failurePolicy from the config file": {
			args:       []string{"--url", url, "--ca-file", ca, "--config", writeFile(t, "strict.yaml", "failurePolicy: Fail\n")},
			wantPolicy: fail, wantTimeout: 10, wantExclude: []string{"kube-system"},
		},
		"the flag over the config file": {
			args:       []string{"--url", url, "--ca-file", ca, "--config", writeFile(t, "strict2.yaml", "failurePolicy: Fail\n"), "--failure-policy", "Ignore"},
			wantPolicy: ignore, wantTimeout: 10, wantExclude: []string{"kube-system"},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got := runCmd(t, "", append([]string{"webhook-config"}, tc.args...)...)
			if got.code != 0 || got.stderr != "" {
				t.Fatalf("exit code %d, stderr %q; want 0 and nothing", got.code, got.stderr)
			}
			var cfg admissionregistrationv1.ValidatingWebhookConfiguration
			if err := yaml.UnmarshalStrict([]byte(got.stdout), &cfg); err != nil {
				t.Fatalf("output is not a ValidatingWebhookConfiguration: %v\n%s", err, got.stdout)
			}
			if diff := cmp.Diff(metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration"}, cfg.TypeMeta); diff != "" {
				t.Errorf("TypeMeta mismatch (-want +got):\n%s", diff)
			}
			if len(cfg.Webhooks) != 1 {
				t.Fatalf("%d webhooks, want 1", len(cfg.Webhooks))
			}
			w := cfg.Webhooks[0]
			wantURL := url
			if tc.wantURL != "" {
				wantURL = tc.wantURL
			}
			if w.ClientConfig.URL == nil || *w.ClientConfig.URL != wantURL {
				t.Errorf("clientConfig.url = %v, want %q", w.ClientConfig.URL, wantURL)
			}
			if w.ClientConfig.Service != nil {
				t.Errorf("clientConfig.service = %v, want none", w.ClientConfig.Service)
			}
			if !bytes.Equal(w.ClientConfig.CABundle, pemBytes) {
				t.Errorf("clientConfig.caBundle = %q, want the CA file's content %q", w.ClientConfig.CABundle, pemBytes)
			}
			if w.FailurePolicy == nil || *w.FailurePolicy != tc.wantPolicy {
				t.Errorf("failurePolicy = %v, want %s", w.FailurePolicy, tc.wantPolicy)
			}
			if w.TimeoutSeconds == nil || *w.TimeoutSeconds != tc.wantTimeout {
				t.Errorf("timeoutSeconds = %v, want %d", w.TimeoutSeconds, tc.wantTimeout)
			}
			wantSelector := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: tc.wantExclude,
			}}}
			if diff := cmp.Diff(wantSelector, w.NamespaceSelector); diff != "" {
				t.Errorf("namespaceSelector mismatch (-want +got):\n%s", diff)
			}
			// The rules are the catalog's, as the webhook package renders
			// them.
			wantRules := serving.Registration{}.Configuration(kinds.Builtin()).Webhooks[0].Rules
			if diff := cmp.Diff(wantRules, w.Rules); diff != "" {
				t.Errorf("rules mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
