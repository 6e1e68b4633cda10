package main

import (
	"bytes"
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/admissible/admissible/webhook/manifest"
)

// kustomize renders the kustomization in dir as kubectl kustomize does
// (kustomize's default options: loading restricted to the kustomization's
// root, no plugins, no Helm) and reads the objects it builds, named after
// "kustomize DIR".
func kustomize(dir string) ([]manifest.Document, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("-k %s: %w", dir, err)
	}
	out, err := res.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("-k %s: %w", dir, err)
	}
	return manifest.Read("kustomize "+dir, bytes.NewReader(out))
}
