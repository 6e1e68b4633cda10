package crio

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/admissible/admissible/resolvers"
)

// Live is a Resolver whose registries.conf follows a cluster's mirror
// sets (OpenShift's ImageDigestMirrorSets, ImageTagMirrorSets and
// ImageContentSourcePolicies): Update renders them as the machine-config
// operator does into a file of its own and reads it again. It is safe for
// concurrent use.
type Live struct {
	lookup Lookuper
	file   string
	opts   []Option
	conf   []ConfOption

	mu      sync.Mutex // one Update at a time
	current atomic.Pointer[Resolver]
}

var _ resolvers.Resolver = (*Live)(nil)

// NewLive returns a Live resolver writing its registries.conf in dir (a
// directory of its own: it is written there on every Update), asking
// endpoints through l; opts and conf apply to every generation. It starts
// with no mirror set.
func NewLive(l Lookuper, dir string, opts []Option, conf ...ConfOption) (*Live, error) {
	v := &Live{lookup: l, file: filepath.Join(dir, "registries.conf"), opts: opts, conf: conf}
	if err := v.Update(nil); err != nil {
		return nil, err
	}
	return v, nil
}

// Update renders sets, with conf after NewLive's (the cluster's image
// configuration: insecure and blocked registries), into registries.conf
// and resolves with it from now on. On an error the resolver keeps the
// last configuration.
func (v *Live) Update(sets []MirrorSet, conf ...ConfOption) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	b, err := RegistriesConf(sets, append(append([]ConfOption{}, v.conf...), conf...)...)
	if err != nil {
		return err
	}
	tmp := v.file + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("crio: writing the mirror sets' registries.conf: %w", err)
	}
	if err := os.Rename(tmp, v.file); err != nil {
		return fmt.Errorf("crio: writing the mirror sets' registries.conf: %w", err)
	}
	described := func(o *options) {
		o.describedAs = "the cluster's mirror sets and image configuration (registries.conf as the machine-config operator renders it)"
	}
	r, err := New(v.lookup, append([]Option{WithRegistriesConf(v.file), described}, v.opts...)...)
	if err != nil {
		return err
	}
	v.current.Store(r)
	return nil
}

// Resolve implements resolvers.Resolver with the current configuration.
func (v *Live) Resolve(ctx context.Context, q resolvers.Query) resolvers.Result {
	return v.current.Load().Resolve(ctx, q)
}
