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
	// Otherwise containerd ignores the key and uses the rest.
	Skipped bool `json:"skipped"`
}

func (p Problem) String() string {
	s := p.File
	if p.Key != "" {
		s += ": " + p.Key
	}
	s += ": " + p.Message
	if p.Skipped {
		s += " (containerd skips this file: a node pulls from the registry itself)"
	} else {
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
// skips (a file that does not parse, or a value containerd refuses) or
// ignores (an unknown key, often a typo). Problems are sorted by file.
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
	// Values containerd refuses: the file is skipped.
	check := func(key string, server string, k hostsFileKeys) {
		if server != "" {
			s := server
			if !strings.HasPrefix(s, "http") {
				s = "https://" + s
			}
			if _, err := url.Parse(s); err != nil {
				out = append(out, Problem{File: file, Key: key, Message: err.Error(), Skipped: true})
			}
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
	for h, k := range shape.Host {
		check(fmt.Sprintf("host.%q", h), h, k)
	}
	check("", shape.Server, shape.hostsFileKeys)
	if len(shape.Host) == 0 && shape.Server == "" && len(out) == 0 {
		out = append(out, Problem{File: file, Message: "neither server nor [host]: a node pulls from the registry itself"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
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
