package harness

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// BuildAdmissible builds the admissible binary from the module at root into
// dir and returns its path.
func BuildAdmissible(root, dir string) (string, error) {
	bin := filepath.Join(dir, "admissible")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/admissible")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// Webhook is a running "admissible serve".
type Webhook struct {
	cmd  *exec.Cmd
	args []string
	// Binary is the admissible binary.
	Binary string
	// URL is the validate endpoint.
	URL string
	// CAFile is the CA that signed the serving certificate.
	CAFile string
	// ConfigFile is the --config file the webhook runs with.
	ConfigFile string
	// MetricsURL is the Prometheus endpoint.
	MetricsURL string
	// ReadyURL is the readiness endpoint, on HealthPort.
	ReadyURL   string
	HealthPort int
	// Log holds what the process printed.
	Log *bytes.Buffer
}

// StartWebhook writes config to dir, starts "admissible serve" on free
// loopback ports with a fresh serving certificate, and waits until /readyz
// answers.
func StartWebhook(ctx context.Context, binary, dir, config string, extraArgs ...string) (*Webhook, error) {
	certDir := filepath.Join(dir, "certs")
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return nil, err
	}
	if err := WriteServingCert(certDir); err != nil {
		return nil, err
	}
	configFile := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	healthPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	metricsPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve",
		"--host", "127.0.0.1", "--port", fmt.Sprint(port), "--cert-dir", certDir,
		"--health-addr", fmt.Sprintf("127.0.0.1:%d", healthPort), "--config", configFile,
		"--metrics-addr", fmt.Sprintf("127.0.0.1:%d", metricsPort),
	}, extraArgs...)
	w := &Webhook{
		Binary:     binary,
		URL:        fmt.Sprintf("https://127.0.0.1:%d/validate", port),
		CAFile:     filepath.Join(certDir, "ca.crt"),
		ConfigFile: configFile,
		MetricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort),
		Log:        &bytes.Buffer{},
	}
	w.args = args
	w.ReadyURL = fmt.Sprintf("http://127.0.0.1:%d/readyz", healthPort)
	w.HealthPort = healthPort
	if err := w.start(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// start runs the process and waits until it is ready.
func (w *Webhook) start(ctx context.Context) error {
	w.cmd = exec.Command(w.Binary, w.args...)
	w.cmd.Stdout, w.cmd.Stderr = w.Log, w.Log
	if err := w.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(w.ReadyURL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			w.Stop()
			return fmt.Errorf("webhook not ready at %s:\n%s", w.ReadyURL, w.Log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Restart starts the process again, with the same ports, certificate and
// configuration, once the previous one has exited, and waits until it is
// ready.
func (w *Webhook) Restart(ctx context.Context) error { return w.start(ctx) }

// Signal sends sig to the webhook process.
func (w *Webhook) Signal(sig os.Signal) error { return w.cmd.Process.Signal(sig) }

// Pid is the webhook's process id.
func (w *Webhook) Pid() int { return w.cmd.Process.Pid }

// Wait waits for the process to exit and returns its exit code.
func (w *Webhook) Wait() int {
	_ = w.cmd.Wait()
	return w.cmd.ProcessState.ExitCode()
}

// Stop ends the webhook process.
func (w *Webhook) Stop() {
	if w.cmd != nil && w.cmd.Process != nil {
		_ = w.cmd.Process.Kill()
		_ = w.cmd.Wait()
	}
}

// Register prints the webhook configuration with "admissible webhook-config"
// from the webhook's own --config file, so configured custom resources are in
// its rules, and applies it with kubectl.
func (w *Webhook) Register(ctx context.Context, cp *ControlPlane, extraArgs ...string) error {
	args := append([]string{"webhook-config", "--url", w.URL, "--ca-file", w.CAFile, "--config", w.ConfigFile}, extraArgs...)
	out, err := exec.CommandContext(ctx, w.Binary, args...).Output()
	if err != nil {
		return fmt.Errorf("webhook-config: %w", err)
	}
	if r := cp.Kubectl(ctx, string(out), "apply", "-f", "-"); r.ExitCode != 0 {
		return fmt.Errorf("register webhook: %s", r.Output())
	}
	return nil
}

// FreePort returns a TCP port free on loopback now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Metric returns the sum of the samples of the metric name (every label
// set) the webhook exports now; 0 when it exports none.
func (w *Webhook) Metric(name string) (float64, error) {
	resp, err := http.Get(w.MetricsURL)
	if err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	total := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		n, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return 0, fmt.Errorf("metrics line %q: %w", line, err)
		}
		total += n
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	return total, nil
}
