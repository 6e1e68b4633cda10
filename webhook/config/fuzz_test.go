package config

import (
	"testing"

	"github.com/admissible/admissible/resolvers/mirrors"
)

// FuzzConfig: any configuration file is read or refused with an error,
// never a panic; a file that reads builds its mirror chain or says why not.
func FuzzConfig(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("mirrors:\n  docker.io:\n    endpoints: [https://harbor.example/v2/docker.io]\n    overridePath: true\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if c.Catalog() == nil || c.registries == nil {
			t.Fatalf("a configuration that reads has no catalog or registries policy: %+v", c)
		}
		_, _ = mirrors.New(c.Mirrors, nil)
	})
}
