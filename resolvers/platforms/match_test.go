package platforms_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/admissible/admissible/resolvers/platforms"
)

// p builds a platform: os, architecture, then variant and os.version when
// given.
func p(os, arch string, more ...string) ocispec.Platform {
	pl := ocispec.Platform{OS: os, Architecture: arch}
	if len(more) > 0 {
		pl.Variant = more[0]
	}
	if len(more) > 1 {
		pl.OSVersion = more[1]
	}
	return pl
}

func TestMatch(t *testing.T) {
	tests := map[string]struct {
		served []ocispec.Platform
		// unplatformed is Served.Unplatformed: the last ones of served.
		unplatformed int
		need         ocispec.Platform
		rt           platforms.Runtime
		want         platforms.Outcome
	}{
		// containerd
		"containerd: the node's platform": {
			served: []ocispec.Platform{p("linux", "arm64", "v8"), p("linux", "amd64")},
			need:   p("linux", "amd64"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "amd64")},
		},
		"containerd: arm64/v8 is arm64": {
			served: []ocispec.Platform{p("linux", "arm64", "v8")},
			need:   p("linux", "arm64"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "arm64", "v8")},
		},
		"containerd: arm64 is arm64/v8": {
			served: []ocispec.Platform{p("linux", "arm64")},
			need:   p("linux", "arm64", "v8"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "arm64")},
		},
		"containerd: aarch64 is arm64": {
			served: []ocispec.Platform{p("linux", "aarch64")},
			need:   p("linux", "arm64"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "aarch64")},
		},
		"containerd: arm64/v9 is not an arm64 node's": {
			served: []ocispec.Platform{p("linux", "arm64", "v9")},
			need:   p("linux", "arm64"),
			want:   platforms.Outcome{},
		},
		"containerd: arm on arm64 is a fallback, the newest variant first": {
			served: []ocispec.Platform{p("linux", "arm", "v6"), p("linux", "arm", "v7"), p("linux", "amd64")},
			need:   p("linux", "arm64"),
			want:   platforms.Outcome{Kind: platforms.Fallback, Platform: p("linux", "arm", "v7")},
		},
		"containerd: 386 on amd64 is a fallback": {
			served: []ocispec.Platform{p("linux", "386"), p("linux", "arm64")},
			need:   p("linux", "amd64"),
			want:   platforms.Outcome{Kind: platforms.Fallback, Platform: p("linux", "386")},
		},
		"containerd: the exact match wins over a fallback listed first": {
			served: []ocispec.Platform{p("linux", "386"), p("linux", "amd64")},
			need:   p("linux", "amd64"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "amd64")},
		},
		"containerd: amd64/v3 is not a baseline node's": {
			served: []ocispec.Platform{p("linux", "amd64", "v3")},
			need:   p("linux", "amd64"),
			want:   platforms.Outcome{},
		},
		"containerd: amd64/v1 is amd64": {
			served: []ocispec.Platform{p("linux", "amd64", "v1")},
			need:   p("linux", "amd64"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "amd64", "v1")},
		},
		"containerd: an older amd64 level is a fallback": {
			served: []ocispec.Platform{p("linux", "amd64"), p("linux", "amd64", "v2")},
			need:   p("linux", "amd64", "v3"),
			want:   platforms.Outcome{Kind: platforms.Fallback, Platform: p("linux", "amd64", "v2")},
		},
		"containerd: arm without variant is arm/v7": {
			served: []ocispec.Platform{p("linux", "arm")},
			need:   p("linux", "arm", "v7"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "arm")},
		},
		"containerd: an older arm variant is a fallback": {
			served: []ocispec.Platform{p("linux", "arm", "v6")},
			need:   p("linux", "arm", "v7"),
			want:   platforms.Outcome{Kind: platforms.Fallback, Platform: p("linux", "arm", "v6")},
		},
		"containerd: a newer arm variant is not": {
			served: []ocispec.Platform{p("linux", "arm", "v7")},
			need:   p("linux", "arm", "v6"),
			want:   platforms.Outcome{},
		},
		"containerd: an entry without os is the node's": {
			served: []ocispec.Platform{{Architecture: "amd64"}},
			need:   p("windows", "amd64", "", "10.0.20348"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: ocispec.Platform{Architecture: "amd64"}},
		},
		"containerd: another os": {
			served: []ocispec.Platform{p("windows", "amd64")},
			need:   p("linux", "amd64"),
			want:   platforms.Outcome{},
		},
		"containerd: Windows, the node's build": {
			served: []ocispec.Platform{p("windows", "amd64", "", "10.0.17763.5458"), p("windows", "amd64", "", "10.0.20348.2227")},
			need:   p("windows", "amd64", "", "10.0.20348"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("windows", "amd64", "", "10.0.20348.2227")},
		},
		"containerd: Windows Server 2022 images run on 2025": {
			served: []ocispec.Platform{p("windows", "amd64", "", "10.0.20348.2227")},
			need:   p("windows", "amd64", "", "10.0.26100"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("windows", "amd64", "", "10.0.20348.2227")},
		},
		"containerd: Windows 2019 images need a 2019 node": {
			served: []ocispec.Platform{p("windows", "amd64", "", "10.0.17763.5458")},
			need:   p("windows", "amd64", "", "10.0.20348"),
			want:   platforms.Outcome{},
		},
		"containerd: a newer Windows build does not run on an older node": {
			served: []ocispec.Platform{p("windows", "amd64", "", "10.0.26100.1")},
			need:   p("windows", "amd64", "", "10.0.20348"),
			want:   platforms.Outcome{},
		},
		"containerd: a Windows entry without os.version runs on any build": {
			served: []ocispec.Platform{p("windows", "amd64")},
			need:   p("windows", "amd64", "", "10.0.17763"),
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("windows", "amd64")},
		},
		"containerd: no fallback on Windows": {
			served: []ocispec.Platform{p("windows", "386")},
			need:   p("windows", "amd64", "", "10.0.20348"),
			want:   platforms.Outcome{},
		},
		"containerd: entries without a platform come after the others": {
			served:       []ocispec.Platform{p("linux", "arm", "v6"), p("linux", "arm", "v7")},
			unplatformed: 1,
			need:         p("linux", "arm64"),
			want:         platforms.Outcome{Kind: platforms.Fallback, Platform: p("linux", "arm", "v6")},
		},
		"containerd: an exact entry without a platform wins over a fallback with one": {
			served:       []ocispec.Platform{p("linux", "386"), p("linux", "amd64")},
			unplatformed: 1,
			need:         p("linux", "amd64"),
			want:         platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "amd64")},
		},
		"containerd: the first entry without a platform is taken": {
			served:       []ocispec.Platform{p("linux", "s390x"), p("linux", "amd64"), p("linux", "arm64")},
			unplatformed: 2,
			need:         p("linux", "amd64"),
			want:         platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "amd64")},
		},
		"containerd: only the first entry without a platform": {
			served:       []ocispec.Platform{p("linux", "s390x"), p("linux", "amd64"), p("linux", "arm64")},
			unplatformed: 2,
			need:         p("linux", "arm64"),
			want:         platforms.Outcome{},
		},
		"cri-o: the first entry without a platform is taken": {
			served:       []ocispec.Platform{p("linux", "s390x"), p("linux", "amd64")},
			unplatformed: 1,
			need:         p("linux", "amd64"),
			rt:           platforms.CRIO,
			want:         platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "amd64")},
		},
		"containerd: nothing served": {
			need: p("linux", "amd64"),
			want: platforms.Outcome{},
		},
		// CRI-O
		"cri-o: the node's platform": {
			served: []ocispec.Platform{p("linux", "arm64", "v8"), p("linux", "amd64")},
			need:   p("linux", "amd64"),
			rt:     platforms.CRIO,
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "amd64")},
		},
		"cri-o: amd64/v1 is amd64": {
			served: []ocispec.Platform{p("linux", "amd64", "v1")},
			need:   p("linux", "amd64"),
			rt:     platforms.CRIO,
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "amd64", "v1")},
		},
		"cri-o: no other amd64 level": {
			served: []ocispec.Platform{p("linux", "amd64", "v2")},
			need:   p("linux", "amd64", "v3"),
			rt:     platforms.CRIO,
			want:   platforms.Outcome{},
		},
		"cri-o: no 386 on amd64": {
			served: []ocispec.Platform{p("linux", "386")},
			need:   p("linux", "amd64"),
			rt:     platforms.CRIO,
			want:   platforms.Outcome{},
		},
		"cri-o: no arm on arm64": {
			served: []ocispec.Platform{p("linux", "arm", "v7")},
			need:   p("linux", "arm64"),
			rt:     platforms.CRIO,
			want:   platforms.Outcome{},
		},
		"cri-o: architectures as written": {
			served: []ocispec.Platform{p("linux", "x86_64")},
			need:   p("linux", "amd64"),
			rt:     platforms.CRIO,
			want:   platforms.Outcome{},
		},
		"cri-o: arm64/v8 before arm64": {
			served: []ocispec.Platform{p("linux", "arm64"), p("linux", "arm64", "v8")},
			need:   p("linux", "arm64"),
			rt:     platforms.CRIO,
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "arm64", "v8")},
		},
		"cri-o: an older arm variant": {
			served: []ocispec.Platform{p("linux", "arm", "v8"), p("linux", "arm", "v6")},
			need:   p("linux", "arm"),
			rt:     platforms.CRIO,
			want:   platforms.Outcome{Kind: platforms.Exact, Platform: p("linux", "arm", "v6")},
		},
		"cri-o: not a newer one": {
			served: []ocispec.Platform{p("linux", "arm", "v7")},
			need:   p("linux", "arm", "v6"),
			rt:     platforms.CRIO,
			want:   platforms.Outcome{},
		},
		"cri-o: an entry without os is nobody's": {
			served: []ocispec.Platform{{Architecture: "amd64"}},
			need:   p("linux", "amd64"),
			rt:     platforms.CRIO,
			want:   platforms.Outcome{},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got := platforms.Match(platforms.Served{Platforms: tc.served, Unplatformed: tc.unplatformed}, tc.need, tc.rt)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Match mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRuntime(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    platforms.Runtime
		wantErr bool
	}{
		"containerd":          {in: "containerd", want: platforms.Containerd},
		"a containerd node":   {in: "containerd://2.1.4", want: platforms.Containerd},
		"a CRI-O node":        {in: "cri-o://1.33.2", want: platforms.CRIO},
		"crio":                {in: "crio", want: platforms.CRIO},
		"docker is not a CRI": {in: "docker://28.0.1", wantErr: true},
		"empty":               {in: "", wantErr: true},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got, err := platforms.ParseRuntime(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseRuntime(%q) error = %v, want error %t", tc.in, err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Errorf("ParseRuntime(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}
