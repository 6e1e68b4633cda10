package main

import (
	"flag"
	"fmt"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"

	"github.com/admissible/admissible/webhook/judge/podcreate"
)

// kubeVersionFlag registers --kube-version: the Kubernetes version whose pod
// rules (feature gate defaults) apply.
func kubeVersionFlag(fs *flag.FlagSet, what string) *string {
	return fs.String("kube-version", "", fmt.Sprintf("Kubernetes version whose pod rules apply, e.g. 1.33 (default: %s; at most %s)", what, podcreate.LibraryVersion))
}

// emulate makes pod validation follow version v.
func emulate(v string) error {
	if v == "" {
		return nil
	}
	return podcreate.EmulateVersion(v)
}

// serverVersion asks the API server for its version.
func serverVersion(cfg *rest.Config) (string, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return "", err
	}
	info, err := dc.ServerVersion()
	if err != nil {
		return "", fmt.Errorf("reading the API server's version: %w", err)
	}
	return info.GitVersion, nil
}
