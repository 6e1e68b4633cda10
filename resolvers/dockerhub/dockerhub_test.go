package dockerhub_test

import (
	"testing"

	"github.com/admissible/admissible/resolvers/dockerhub"
)

func TestCanonical(t *testing.T) {
	tests := map[string]struct {
		host string
		want string
	}{
		"docker.io":               {host: "docker.io", want: "docker.io"},
		"index.docker.io":         {host: "index.docker.io", want: "docker.io"},
		"registry-1.docker.io":    {host: "registry-1.docker.io", want: "docker.io"},
		"registry.hub.docker.com": {host: "registry.hub.docker.com", want: "docker.io"},
		"letter case":             {host: "Registry-1.Docker.IO", want: "docker.io"},
		"with a port: not Hub":    {host: "docker.io:5000", want: "docker.io:5000"},
		"a subdomain: not Hub":    {host: "mirror.docker.io", want: "mirror.docker.io"},
		"another registry":        {host: "quay.io", want: "quay.io"},
		"empty":                   {host: "", want: ""},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			if got := dockerhub.Canonical(tc.host); got != tc.want {
				t.Errorf("Canonical(%q) = %q, want %q", tc.host, got, tc.want)
			}
		})
	}
}
