// Command generate writes the install's generated files: the kustomize
// base's webhook configuration and the Helm chart's rules, both from the
// catalog of judged kinds. Run it as go generate ./manifests (make
// manifests); it writes relative to the current directory, which go generate
// sets to manifests/.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/admissible/admissible/manifests"
)

func main() {
	files, err := manifests.Generated()
	if err != nil {
		fmt.Fprintf(os.Stderr, "generate: %v\n", err)
		os.Exit(1)
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := os.WriteFile(filepath.FromSlash(p), files[p], 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "generate: %v\n", err)
			os.Exit(1)
		}
		fmt.Println("wrote", p)
	}
}
