package crio_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/crio"
)

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "registries.conf", `unqualified-search-registries = ["docker.io"]`)
	v1 := write(t, dir, "v1.conf", "[registries.search]\nregistries = [\"docker.io\"]\n")
	broken := write(t, dir, "broken.conf", "[[registry]\n")
	dropIns := filepath.Join(dir, "bad.d")
	if err := os.Mkdir(dropIns, 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, dropIns, "10-bad.conf", "[[registry]]\nprefix = \"*.example.com/ns\"\nlocation = \"x.example.com\"\n")
	tests := map[string]struct {
		opts []crio.Option
		// want are substrings of the error.
		want []string
	}{
		"no file at all": {
			want: []string{"no registries.conf"},
		},
		"a missing file is named": {
			opts: []crio.Option{crio.WithRegistriesConf(filepath.Join(dir, "missing.conf"))},
			want: []string{"registries.conf", filepath.Join(dir, "missing.conf"), "no such file"},
		},
		"a missing directory is named": {
			opts: []crio.Option{crio.WithRegistriesConf(good), crio.WithRegistriesConfDir(filepath.Join(dir, "missing.d"))},
			want: []string{"registries.conf.d", filepath.Join(dir, "missing.d"), "no such file"},
		},
		"a directory as the file": {
			opts: []crio.Option{crio.WithRegistriesConf(dir)},
			want: []string{dir + " is a directory"},
		},
		"a file as the directory": {
			opts: []crio.Option{crio.WithRegistriesConfDir(good)},
			want: []string{good + " is not a directory"},
		},
		"a file that does not parse is named": {
			opts: []crio.Option{crio.WithRegistriesConf(broken)},
			want: []string{broken},
		},
		"the v1 format, which CRI-O refuses": {
			opts: []crio.Option{crio.WithRegistriesConf(v1)},
			want: []string{v1, "must be in v2 format"},
		},
		"a drop-in CRI-O refuses": {
			opts: []crio.Option{crio.WithRegistriesConf(good), crio.WithRegistriesConfDir(dropIns)},
			want: []string{"10-bad.conf", "*.example.com/ns"},
		},
		"a short-name mode CRI-O does not know": {
			opts: []crio.Option{crio.WithRegistriesConf(good), crio.WithShortNameMode("permissive")},
			want: []string{`short-name mode "permissive"`},
		},
	}
	for label, tc := range tests {
		t.Run(label, func(t *testing.T) {
			_, err := crio.New(&fake{}, tc.opts...)
			if err == nil {
				t.Fatalf("New() succeeded, want an error containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("New() error = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestNewReadsOnlyWhatItIsGiven puts a registries.conf with a mirror where
// containers/image looks by default ($HOME, CONTAINERS_REGISTRIES_CONF,
// its _OVERRIDE): none of them is read.
func TestNewReadsOnlyWhatItIsGiven(t *testing.T) {
	home := t.TempDir()
	poisoned := "unqualified-search-registries = [\"evil.example\"]\n[[registry]]\nlocation = \"quay.io\"\n[[registry.mirror]]\nlocation = \"evil.example\"\n[aliases]\n\"app\" = \"evil.example/app\"\n"
	for _, d := range []string{".config/containers/registries.conf.d", ".cache/containers"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(home, ".config/containers"), "registries.conf", poisoned)
	write(t, filepath.Join(home, ".config/containers/registries.conf.d"), "99-evil.conf", poisoned)
	write(t, filepath.Join(home, ".cache/containers"), "short-name-aliases.conf", "[aliases]\n\"app\" = \"evil.example/app\"\n")
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("CONTAINERS_REGISTRIES_CONF", filepath.Join(home, ".config/containers/registries.conf"))
	t.Setenv("CONTAINERS_REGISTRIES_CONF_OVERRIDE", filepath.Join(home, ".config/containers/registries.conf.d/99-evil.conf"))

	dir := t.TempDir()
	file := write(t, dir, "registries.conf", "unqualified-search-registries = [\"good.example\"]\n")
	dropIns := filepath.Join(dir, "registries.conf.d")
	if err := os.Mkdir(dropIns, 0o700); err != nil {
		t.Fatal(err)
	}
	for label, opts := range map[string][]crio.Option{
		"file":               {crio.WithRegistriesConf(file)},
		"directory":          {crio.WithRegistriesConfDir(dropIns)},
		"file and directory": {crio.WithRegistriesConf(file), crio.WithRegistriesConfDir(dropIns)},
	} {
		t.Run(label, func(t *testing.T) {
			f := &fake{}
			r, err := crio.New(f, append(opts, crio.WithShortNameMode(crio.Disabled))...)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := name.ParseReference("quay.io/app:v1")
			if err != nil {
				t.Fatal(err)
			}
			srcs, err := r.Sources(ref)
			if err != nil {
				t.Fatal(err)
			}
			if len(srcs) != 1 || srcs[0].Endpoint.Host != "quay.io" {
				t.Errorf("Sources(quay.io/app:v1) = %+v, want quay.io alone", srcs)
			}
			short, err := name.ParseReference("app:v1")
			if err != nil {
				t.Fatal(err)
			}
			res := r.Resolve(t.Context(), resolvers.Query{Ref: short, Written: "app:v1"})
			for _, c := range f.calls {
				if strings.Contains(c, "evil") {
					t.Errorf("asked %s: the machine's own configuration was read", c)
				}
			}
			if label == "directory" {
				// No search registry at all: the short name is refused.
				if res.Refused == "" {
					t.Errorf("Resolve(app:v1) = %+v, want a refusal", res)
				}
				return
			}
			if diff := cmp.Diff([]string{"https://good.example/app"}, f.calls); diff != "" {
				t.Errorf("calls mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewReadsAgain: a new Resolver sees a file edited since the last one.
func TestNewReadsAgain(t *testing.T) {
	file := write(t, t.TempDir(), "registries.conf", "")
	ref, err := name.ParseReference("quay.io/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	hosts := func() []string {
		r, err := crio.New(&fake{}, crio.WithRegistriesConf(file))
		if err != nil {
			t.Fatal(err)
		}
		srcs, err := r.Sources(ref)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range srcs {
			out = append(out, s.Endpoint.Host)
		}
		return out
	}
	if diff := cmp.Diff([]string{"quay.io"}, hosts()); diff != "" {
		t.Errorf("before the edit (-want +got):\n%s", diff)
	}
	write(t, filepath.Dir(file), "registries.conf", "[[registry]]\nlocation = \"quay.io\"\n[[registry.mirror]]\nlocation = \"mirror.example\"\n")
	if diff := cmp.Diff([]string{"mirror.example", "quay.io"}, hosts()); diff != "" {
		t.Errorf("after the edit (-want +got):\n%s", diff)
	}
}
