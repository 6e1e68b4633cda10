package mirrors

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	tomlu "github.com/pelletier/go-toml/v2/unstable"
)

// Problem is something wrong in a hosts.toml file.
type Problem struct {
	// File is the hosts.toml file.
	File string `json:"file"`
	// Key is the TOML key at fault, "" for the file as a whole.
	Key string `json:"key,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
	// Skipped: containerd does not use the file at all (it logs an error
	// and pulls from the registry itself, as if the file were absent).
	// Otherwise containerd ignores the key and uses the rest, unless
	// Unusable.
	Skipped bool `json:"skipped"`
	// Unusable: containerd keeps the host in its list but cannot ask it (no
	// host in the URL, or a scheme other than http and https): every pull
	// tries it, fails and moves on to the next host. Admissible walks the
	// same way.
	Unusable bool `json:"unusable,omitempty"`
}

func (p Problem) String() string {
	s := p.File
	if p.Key != "" {
		s += ": " + p.Key
	}
	s += ": " + p.Message
	switch {
	case p.Skipped:
		s += " (containerd skips this file: a node pulls from the registry itself)"
	case p.Unusable:
		s += " (containerd tries this host on every pull, fails and moves on to the next)"
	default:
		s += " (containerd ignores this key)"
	}
	return s
}

// hostsFileKeys is the shape of a hosts.toml section, as containerd's
// config package reads it (hostFileConfig); Check decodes it strictly to
// name unknown keys, which containerd ignores.
type hostsFileKeys struct {
	Capabilities []string       `toml:"capabilities"`
	CACert       any            `toml:"ca"`
	Client       any            `toml:"client"`
	SkipVerify   *bool          `toml:"skip_verify"`
	Header       map[string]any `toml:"header"`
	OverridePath bool           `toml:"override_path"`
	DialTimeout  string         `toml:"dial_timeout"`
}

type hostsFileShape struct {
	hostsFileKeys
	Server string                   `toml:"server"`
	Host   map[string]hostsFileKeys `toml:"host"`
}

// Check reads every DIR/<registry>/hosts.toml and reports what containerd
// skips (a file that does not parse, or a value containerd refuses),
// ignores (an unknown key, often a typo, or a server without a host) or
// tries in vain (a host that is not an http or https URL with a host).
// Problems are sorted by file.
func Check(dir string) ([]Problem, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("containerd hosts directory: %w", err)
	}
	var out []Problem
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		file := filepath.Join(dir, e.Name(), "hosts.toml")
		b, err := os.ReadFile(file)
		if errors.Is(err, os.ErrNotExist) || len(b) == 0 {
			continue
		}
		if err != nil {
			out = append(out, Problem{File: file, Message: err.Error(), Skipped: true})
			continue
		}
		out = append(out, checkFile(file, b)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out, nil
}

func checkFile(file string, b []byte) []Problem {
	var shape hostsFileShape
	// As containerd decodes it: an error here skips the file.
	if err := toml.Unmarshal(b, &shape); err != nil {
		p := Problem{File: file, Message: err.Error(), Skipped: true}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			p.Key = strings.Join(de.Key(), ".")
			p.Message = fmt.Sprintf("line %d column %d: %v", row, col, de)
		}
		return []Problem{p}
	}
	var out []Problem
	// Unknown keys: containerd ignores them.
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	var strict hostsFileShape
	var sme *toml.StrictMissingError
	if err := dec.Decode(&strict); errors.As(err, &sme) {
		for _, e := range sme.Errors {
			if isHeaderKey(e.Key()) {
				continue
			}
			out = append(out, Problem{File: file, Key: strings.Join(e.Key(), "."), Message: "unknown key"})
		}
	}
	// Values containerd refuses (the file is skipped), a server it replaces
	// with the registry, hosts it cannot ask.
	check := func(key string, server string, k hostsFileKeys) {
		if p, ok := checkURL(key, server); ok {
			p.File = file
			out = append(out, p)
		}
		for _, c := range k.Capabilities {
			switch strings.ToLower(c) {
			case "pull", "resolve", "push", "referrers":
			default:
				out = append(out, Problem{File: file, Key: join(key, "capabilities"), Message: fmt.Sprintf("unknown capability %q", c), Skipped: true})
			}
		}
		if k.DialTimeout != "" {
			if _, err := time.ParseDuration(k.DialTimeout); err != nil {
				out = append(out, Problem{File: file, Key: join(key, "dial_timeout"), Message: err.Error(), Skipped: true})
			}
		}
		for name, v := range k.Header {
			if !stringOrStrings(v) {
				out = append(out, Problem{File: file, Key: join(key, "header."+name), Message: "must be a string or an array of strings", Skipped: true})
			}
		}
		if k.CACert != nil && !stringOrStrings(k.CACert) {
			out = append(out, Problem{File: file, Key: join(key, "ca"), Message: "must be a string or an array of strings", Skipped: true})
		}
	}
	seen := map[string]bool{}
	for _, h := range hostOrder(b) {
		if !seen[h] {
			seen[h] = true
			check(fmt.Sprintf("host.%q", h), h, shape.Host[h])
		}
	}
	check("", shape.Server, shape.hostsFileKeys)
	if len(shape.Host) == 0 && shape.Server == "" && len(out) == 0 {
		out = append(out, Problem{File: file, Message: "neither server nor [host]: a node pulls from the registry itself"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// checkURL reads a [host] key (key is host."...") or the server line (key
// is "") as containerd does, and says what is wrong with it. A [host] that
// is not an http or https URL with a host is unusable: containerd keeps it
// and fails on it at every pull. A server without a host is ignored:
// containerd puts the registry itself in its place.
func checkURL(key, raw string) (Problem, bool) {
	if key == "" {
		if raw == "" {
			return Problem{}, false
		}
		key = "server"
	}
	s := raw
	if s != "" && !strings.HasPrefix(s, "http") {
		s = "https://" + s
	}
	u := &url.URL{}
	if s != "" {
		var err error
		if u, err = url.Parse(s); err != nil {
			return Problem{Key: key, Message: err.Error(), Skipped: true}, true
		}
	}
	switch {
	case u.Host == "" && key == "server":
		return Problem{Key: key, Message: fmt.Sprintf("%q has no host: containerd pulls from the registry itself instead", s)}, true
	case u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return Problem{Key: key, Message: fmt.Sprintf("%q is not an http or https URL with a host", s), Unusable: true}, true
	}
	return Problem{}, false
}

// hostOrder lists the [host] tables in file order, as containerd's
// getSortedHosts does: only table headers count (a host given with dotted
// keys alone is not in containerd's list), and a subtable such as
// [host."x".header] right after its host does not count again.
func hostOrder(b []byte) []string {
	var out []string
	p := tomlu.Parser{}
	p.Reset(b)
	last := ""
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != tomlu.Table {
			continue
		}
		var parts []string
		for it := e.Key(); it.Next(); {
			parts = append(parts, string(it.Node().Data))
		}
		if len(parts) < 2 || parts[0] != "host" || parts[1] == last {
			continue
		}
		last = parts[1]
		out = append(out, last)
	}
	return out
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// isHeaderKey: header names are free.
func isHeaderKey(k []string) bool {
	return (len(k) >= 2 && k[0] == "header") || (len(k) >= 4 && k[0] == "host" && k[2] == "header")
}

func stringOrStrings(v any) bool {
	switch v := v.(type) {
	case string:
		return true
	case []any:
		for _, e := range v {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}
