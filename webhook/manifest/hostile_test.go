package manifest_test

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/admissible/admissible/webhook/manifest"
)

// aliasBomb is a billion laughs: ten levels of ten aliases each.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n")
	b.WriteString(`a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i < 10; i++ {
		refs := strings.Repeat("*a"+string(rune('0'+i-1))+",", 10)
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.TrimSuffix(refs, ",") + "]\n")
	}
	return b.String()
}

// endless is an input that never ends: n bytes of one repeated line.
type endless struct {
	line []byte
	off  int
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.line[e.off%len(e.line)]
		e.off++
	}
	return len(p), nil
}

// TestReadHostile: each input is refused with an error naming the file and
// saying why, within check's budget (30 s) and without holding much more memory than
// the size limit.
func TestReadHostile(t *testing.T) {
	tests := map[string]struct {
		in      io.Reader
		wantErr string
	}{
		"alias bomb": {in: strings.NewReader(aliasBomb()), wantErr: "excessive aliasing"},
		"deep nesting": {
			in:      strings.NewReader("apiVersion: v1\nkind: ConfigMap\ndata: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n"),
			wantErr: "exceeded max depth",
		},
		"deep nesting, JSON": {
			in:      strings.NewReader(`{"apiVersion": "v1", "kind": "ConfigMap", "data": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}"),
			wantErr: "exceeded max depth",
		},
		"binary garbage":      {in: bytes.NewReader([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00\xff\xfe")), wantErr: "hostile.yaml: document 1:"},
		"endless single line": {in: &endless{line: []byte("a")}, wantErr: "hostile.yaml: larger than 32 MiB"},
		"endless documents": {
			in:      &endless{line: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n")},
			wantErr: "hostile.yaml: more than 10000 documents",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := manifest.Read("hostile.yaml", tc.in)
			took := time.Since(start)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if took > 30*time.Second {
				t.Errorf("took %v", took)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 2<<30 {
				t.Errorf("allocated %d MiB", grew>>20)
			}
			t.Logf("%v in %v, %d MiB allocated", err, took.Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>20)
		})
	}
}
