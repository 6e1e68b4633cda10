package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// ControlPlane is a running etcd and kube-apiserver.
type ControlPlane struct {
	env *envtest.Environment
	// Kubeconfig is the path of an admin kubeconfig for kubectl.
	Kubeconfig string
	// Version is the API server's gitVersion, e.g. "v1.33.13".
	Version string
	// Minor is the API server's minor version, e.g. 33.
	Minor int
}

// StartControlPlane starts etcd and kube-apiserver from the binaries in
// assets and installs the CRDs found in crdDirs.
func StartControlPlane(assets, dir string, crdDirs ...string) (*ControlPlane, error) {
	if assets == "" {
		return nil, errors.New("no control plane binaries: set KUBEBUILDER_ASSETS (make control-plane builds them)")
	}
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(assets, bin)); err != nil {
			return nil, fmt.Errorf("control plane binaries: %w (make control-plane builds them)", err)
		}
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     crdDirs,
		ErrorIfCRDPathMissing: true,
	}
	// envtest turns the ServiceAccount admission plugin off; every real
	// cluster runs it (it names "default" before validation), and the pods
	// the oracles create must be admitted as they are there.
	env.ControlPlane.GetAPIServer().Configure().Disable("disable-admission-plugins")
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("start control plane: %w", err)
	}
	cp := &ControlPlane{env: env}
	user, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, cfg)
	if err != nil {
		cp.Stop()
		return nil, fmt.Errorf("admin user: %w", err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		cp.Stop()
		return nil, fmt.Errorf("admin kubeconfig: %w", err)
	}
	cp.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(cp.Kubeconfig, kc, 0o600); err != nil {
		cp.Stop()
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		cp.Stop()
		return nil, err
	}
	info, err := dc.ServerVersion()
	if err != nil {
		cp.Stop()
		return nil, fmt.Errorf("server version: %w", err)
	}
	cp.Version = info.GitVersion
	if _, err := fmt.Sscanf(strings.TrimSuffix(info.Minor, "+"), "%d", &cp.Minor); err != nil {
		cp.Stop()
		return nil, fmt.Errorf("server minor version %q: %w", info.Minor, err)
	}
	return cp, nil
}

// Stop stops the control plane.
func (c *ControlPlane) Stop() {
	if c.env != nil {
		_ = c.env.Stop()
	}
}

// Result is what a kubectl run printed and how it exited.
type Result struct {
	Stdout, Stderr string
	ExitCode       int
}

// Output is stdout and stderr together.
func (r Result) Output() string { return r.Stdout + r.Stderr }

// Kubectl runs the machine's kubectl against the control plane, with stdin
// as its standard input.
func (c *ControlPlane) Kubectl(ctx context.Context, stdin string, args ...string) Result {
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	return run(cmd)
}

// run runs cmd and collects what it printed and its exit code; a command
// that could not run exits -1 with the reason on stderr.
func run(cmd *exec.Cmd) Result {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := Result{Stdout: out.String(), Stderr: errb.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.ExitCode = exit.ExitCode()
	case err != nil:
		r.ExitCode = -1
		r.Stderr += err.Error()
	}
	return r
}
