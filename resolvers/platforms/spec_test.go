package platforms_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/admissible/admissible/resolvers/platforms"
)

func TestParse(t *testing.T) {
	tests := map[string]struct {
		in   string
		want ocispec.Platform
		// wantErr is a part of the error, which always quotes in.
		wantErr string
		// format is Format(want) when it is not in.
		format string
	}{
		"linux/amd64":          {in: "linux/amd64", want: p("linux", "amd64")},
		"linux/arm64":          {in: "linux/arm64", want: p("linux", "arm64")},
		"linux/arm64/v8":       {in: "linux/arm64/v8", want: p("linux", "arm64", "v8")},
		"linux/arm/v7":         {in: "linux/arm/v7", want: p("linux", "arm", "v7")},
		"linux/arm means v7":   {in: "linux/arm", want: p("linux", "arm")},
		"linux/arm/v6":         {in: "linux/arm/v6", want: p("linux", "arm", "v6")},
		"aliases normalized":   {in: "linux/aarch64", want: p("linux", "arm64"), format: "linux/arm64"},
		"x86_64":               {in: "Linux/x86_64", want: p("linux", "amd64"), format: "linux/amd64"},
		"Windows with a build": {in: "windows(10.0.20348)/amd64", want: p("windows", "amd64", "", "10.0.20348")},
		"Windows with features": {
			in:   "windows(10.0.20348+win32k)/amd64",
			want: ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348", OSFeatures: []string{"win32k"}},
		},
		"no architecture":       {in: "linux", wantErr: "want os/architecture"},
		"no os":                 {in: "arm64", wantErr: "want os/architecture"},
		"empty":                 {in: "", wantErr: "empty"},
		"an empty architecture": {in: "linux/", wantErr: "invalid component"},
		"an empty os":           {in: "/amd64", wantErr: "invalid OS component"},
		"a wildcard":            {in: "linux/*", wantErr: "wildcards"},
		"too many parts":        {in: "linux/arm/v7/x", wantErr: "cannot parse"},
		"spaces":                {in: "linux/ amd64", wantErr: "invalid component"},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got, err := platforms.Parse(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), `"`+tc.in+`"`) {
					t.Fatalf("Parse(%q) error = %v, want one quoting the value and saying %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
			format := tc.format
			if format == "" {
				format = tc.in
			}
			if f := platforms.Format(got); f != format {
				t.Errorf("Format(Parse(%q)) = %q, want %q", tc.in, f, format)
			}
			again, err := platforms.Parse(platforms.Format(got))
			if err != nil {
				t.Fatalf("Parse(Format(%+v)): %v", got, err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("Parse(Format(%+v)) mismatch (-want +got):\n%s", got, diff)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := map[string]struct {
		in   ocispec.Platform
		want string
	}{
		"linux":           {in: p("linux", "arm", "v7"), want: "linux/arm/v7"},
		"windows":         {in: p("windows", "amd64", "", "10.0.20348.2227"), want: "windows(10.0.20348.2227)/amd64"},
		"no os":           {in: ocispec.Platform{Architecture: "amd64"}, want: "unknown"},
		"an attestation":  {in: p("unknown", "unknown"), want: "unknown/unknown"},
		"features sorted": {in: ocispec.Platform{OS: "windows", Architecture: "amd64", OSFeatures: []string{"z", "a"}}, want: "windows(+a+z)/amd64"},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			if got := platforms.Format(tc.in); got != tc.want {
				t.Errorf("Format(%+v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
