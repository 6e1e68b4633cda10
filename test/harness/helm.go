package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Helm runs the real Helm CLI against a control plane, with Helm's
// configuration, cache and data kept in a directory of their own.
type Helm struct {
	// Binary is the helm command.
	Binary     string
	kubeconfig string
	home       string
}

// NewHelm finds the helm binary named by $HELM (make test-e2e builds it from
// the Go module proxy with hack/build-tool.sh and sets it) and runs it with
// kubeconfig, keeping Helm's own files under dir.
func NewHelm(kubeconfig, dir string) (*Helm, error) {
	bin := os.Getenv("HELM")
	if bin == "" {
		return nil, errors.New("no helm binary: set HELM (HELM=$(make -s helm) builds it once per machine)")
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("helm binary: %w (HELM=$(make -s helm) builds it)", err)
	}
	home := filepath.Join(dir, "helm")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	return &Helm{Binary: bin, kubeconfig: kubeconfig, home: home}, nil
}

// Run runs helm with args.
func (h *Helm) Run(ctx context.Context, args ...string) Result {
	cmd := exec.CommandContext(ctx, h.Binary, append([]string{"--kubeconfig", h.kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(),
		"HELM_CONFIG_HOME="+filepath.Join(h.home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(h.home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(h.home, "data"),
	)
	return run(cmd)
}
