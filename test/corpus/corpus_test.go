package corpus

import (
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

// Every data file is listed in SOURCES with its origin, and every listed
// file is there; the corpus stays modest in size.
func TestSourcesListEveryFile(t *testing.T) {
	root := Dir()
	sources, err := Sources(root)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, s := range sources {
		if listed[s.File] {
			t.Errorf("SOURCES lists %s twice", s.File)
		}
		listed[s.File] = true
		if !commitPattern.MatchString(s.Commit) || !strings.Contains(s.Repo, "/") || s.Path == "" {
			t.Errorf("SOURCES: %s: want repo owner/name, a 40-digit commit and a path, got %+v", s.File, s)
		}
	}
	var total int64
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !strings.Contains(rel, "/") {
			return nil // the package's own files, README.md, SOURCES
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		if info.Size() > 1<<20 {
			t.Errorf("%s: %d bytes, more than 1 MiB", rel, info.Size())
		}
		if !listed[rel] {
			t.Errorf("%s is not listed in SOURCES", rel)
		}
		delete(listed, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range listed {
		t.Errorf("SOURCES lists %s, which is not there", f)
	}
	if total > 10_000_000 {
		t.Errorf("the corpus has %d bytes, want less than 10 MB", total)
	}
}

// The corpus loads, and holds at least 500 workloads of served versions.
func TestLoad(t *testing.T) {
	ws, err := Load(Dir())
	if err != nil {
		t.Fatal(err)
	}
	var served int
	for _, w := range ws {
		if w.Served() {
			served++
		}
		if w.Object.GetName() == "" && w.Object.GetGenerateName() == "" {
			t.Errorf("%s: no name", w.ID())
		}
	}
	if served < 500 {
		t.Errorf("%d workloads of served versions, want at least 500", served)
	}
	c := Counts(ws)
	for _, p := range c.Projects() {
		t.Logf("%s: %v", p, c[p])
	}
	t.Logf("%d workloads, %d of served versions", len(ws), served)
}
