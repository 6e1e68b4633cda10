package harness

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// DistributionBinary is where Debian's docker-registry package installs the
// Distribution registry.
const DistributionBinary = "/usr/bin/docker-registry"

// Distribution is a real Distribution registry (Debian's docker-registry)
// running as its own process on loopback, storing in a temporary directory.
type Distribution struct {
	cmd *exec.Cmd
	// Host is 127.0.0.1:port; URL is http://Host.
	Host, URL string
}

// StartDistribution starts the registry with its storage under dir.
func StartDistribution(dir string) (*Distribution, error) {
	if _, err := os.Stat(DistributionBinary); err != nil {
		return nil, fmt.Errorf("Distribution registry: %w (apt-get install docker-registry)", err)
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	d := &Distribution{Host: fmt.Sprintf("127.0.0.1:%d", port)}
	d.URL = "http://" + d.Host
	storage := filepath.Join(dir, "distribution")
	config := filepath.Join(dir, "distribution.yml")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(`version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: %s}
  delete: {enabled: true}
http:
  addr: %s
`, storage, d.Host)), 0o600); err != nil {
		return nil, err
	}
	d.cmd = exec.Command(DistributionBinary, "serve", config)
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(d.URL + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d, nil
			}
		}
		if time.Now().After(deadline) {
			d.Stop()
			return nil, fmt.Errorf("Distribution registry at %s never answered /v2/", d.URL)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Push stores a small random image at repo:tag and returns its digest.
func (d *Distribution) Push(repo, tag string) (string, error) { return push(d.Host, repo, tag, nil) }

// Stop ends the registry process.
func (d *Distribution) Stop() {
	if d.cmd != nil && d.cmd.Process != nil {
		_ = d.cmd.Process.Kill()
		_ = d.cmd.Wait()
	}
}
