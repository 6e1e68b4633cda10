package crio

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/types"
)

// errNoConfig: New was given no file to read.
var errNoConfig = errors.New("crio: no registries.conf: name a file (WithRegistriesConf), a drop-in directory (WithRegistriesConfDir), or both")

// nowhere returns a path that cannot exist: procfs lets nobody create an
// entry in /proc/self, and elsewhere /proc/self does not exist. The
// library reads a default path from the machine (/etc/containers, $HOME)
// for anything the SystemContext leaves empty; nowhere fills those.
func nowhere(name string) string {
	return filepath.Join(string(filepath.Separator)+"proc", "self", "admissible-nowhere", name)
}

// systemContext returns the SystemContext that reads the configured files
// and nothing else, and loads them once so that New reports their errors.
// Loading replaces what the library remembered for the same paths, so a
// new Resolver sees files edited since an earlier one was made.
func systemContext(o options) (*types.SystemContext, error) {
	if o.file == "" && o.dir == "" {
		return nil, errNoConfig
	}
	sys := &types.SystemContext{
		SystemRegistriesConfPath:    o.file,
		SystemRegistriesConfDirPath: o.dir,
		// The aliases CRI-O records itself (it never does without a TTY)
		// would come from /var/cache or $HOME.
		UserShortNameAliasConfPath: nowhere("short-name-aliases.conf"),
	}
	if o.file == "" {
		// An empty main file: the drop-ins say everything.
		sys.SystemRegistriesConfPath = os.DevNull
	} else if err := isKind(o.file, false); err != nil {
		return nil, fmt.Errorf("crio: registries.conf: %w", err)
	}
	if o.dir == "" {
		sys.SystemRegistriesConfDirPath = nowhere("registries.conf.d")
	} else if err := isKind(o.dir, true); err != nil {
		// The library skips a missing drop-in directory silently.
		return nil, fmt.Errorf("crio: registries.conf.d: %w", err)
	}
	if _, err := sysregistriesv2.TryUpdatingCache(sys); err != nil {
		return nil, fmt.Errorf("crio: %s: %w", describe(o), err)
	}
	return sys, nil
}

// isKind checks that path exists and is a directory, or a file.
func isKind(path string, dir bool) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return err
	case dir && !fi.IsDir():
		return fmt.Errorf("%s is not a directory", path)
	case !dir && fi.IsDir():
		return fmt.Errorf("%s is a directory", path)
	}
	return nil
}

// describe names the configured files for messages.
func describe(o options) string {
	var parts []string
	if o.file != "" {
		parts = append(parts, o.file)
	}
	if o.dir != "" {
		parts = append(parts, filepath.Join(o.dir, "*.conf"))
	}
	return strings.Join(parts, " and ")
}
