package policy_test

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/webhook/judge/policy"
)

func TestRegistries(t *testing.T) {
	tests := map[string]struct {
		allow, deny []string
		image       string
		want        string
	}{
		"empty policy: anything":                 {image: "evil.example/app:1"},
		"allowed by a glob":                      {allow: []string{"*.corp.example"}, image: "a.b.corp.example/app:1"},
		"the glob's own domain is not":           {allow: []string{"*.corp.example"}, image: "corp.example/app:1", want: "registry corp.example is not allowed by registries.allow"},
		"short name is docker.io":                {allow: []string{"docker.io"}, image: "nginx"},
		"index.docker.io is docker.io":           {deny: []string{"docker.io"}, image: "index.docker.io/library/nginx:1", want: `registry docker.io is denied by registries.deny ("docker.io")`},
		"registry-1.docker.io is docker.io":      {allow: []string{"docker.io"}, image: "registry-1.docker.io/library/nginx:1"},
		"registry.hub.docker.com is docker.io":   {allow: []string{"docker.io"}, image: "registry.hub.docker.com/library/nginx:1"},
		"an alias in allow covers short names":   {allow: []string{"registry-1.docker.io"}, image: "nginx:1"},
		"an alias in deny covers every alias":    {deny: []string{"index.docker.io"}, image: "registry-1.docker.io/library/nginx:1", want: `registry docker.io is denied by registries.deny ("docker.io")`},
		"a Hub lookalike with a port is not Hub": {allow: []string{"docker.io"}, image: "docker.io:5000/app:1", want: "registry docker.io:5000 is not allowed by registries.allow"},
		"not in allow":                           {allow: []string{"quay.io"}, image: "evil.example/app:1", want: "registry evil.example is not allowed by registries.allow"},
		"denied":                                 {deny: []string{"evil.*"}, image: "evil.example/app:1", want: `registry evil.example is denied by registries.deny ("evil.*")`},
		"deny wins over allow":                   {allow: []string{"*"}, deny: []string{"evil.example"}, image: "evil.example/app:1", want: `registry evil.example is denied by registries.deny ("evil.example")`},
		"port is part of the host":               {allow: []string{"registry.local"}, image: "registry.local:5000/app:1", want: "registry registry.local:5000 is not allowed by registries.allow"},
		"port matched by a glob":                 {allow: []string{"registry.local:*"}, image: "registry.local:5000/app:1"},
		"not denied, empty allow: fine":          {deny: []string{"evil.example"}, image: "quay.io/app:1"},
		"second allow pattern matches":           {allow: []string{"quay.io", "ghcr.io"}, image: "ghcr.io/app:1"},
		"digest references are matched":          {allow: []string{"quay.io"}, image: "ghcr.io/app@sha256:0000000000000000000000000000000000000000000000000000000000000000", want: "registry ghcr.io is not allowed by registries.allow"},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			p, err := policy.NewRegistries(tc.allow, tc.deny)
			if err != nil {
				t.Fatalf("NewRegistries: %v", err)
			}
			ref, err := name.ParseReference(tc.image)
			if err != nil {
				t.Fatalf("ParseReference: %v", err)
			}
			if got := p.Refusal(policy.Host(ref)); got != tc.want {
				t.Errorf("Refusal(%s) = %q, want %q", policy.Host(ref), got, tc.want)
			}
		})
	}
}

func TestNewRegistriesRefuses(t *testing.T) {
	tests := map[string]struct {
		allow, deny []string
		want        string
	}{
		"bad allow pattern": {allow: []string{"ok.example", "[bad"}, want: `allow[1] "[bad": syntax error in pattern`},
		"bad deny pattern":  {deny: []string{"a\\"}, want: `deny[0] "a\\": syntax error in pattern`},
		"empty pattern":     {deny: []string{""}, want: "deny[0]: empty pattern"},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			p, err := policy.NewRegistries(tc.allow, tc.deny)
			if err == nil || err.Error() != tc.want {
				t.Errorf("NewRegistries error = %v, want %q", err, tc.want)
			}
			if p != nil {
				t.Errorf("NewRegistries returned a policy with its error")
			}
		})
	}
}

func TestNilRegistriesRefusesNothing(t *testing.T) {
	var p *policy.Registries
	if got := p.Refusal("evil.example"); got != "" {
		t.Errorf("nil policy Refusal = %q, want none", got)
	}
}
