package webhook_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/admissible/admissible/"

// roles are webhook's folders from the top down: a package may import its
// own role's packages below it and the roles after its own, never one
// before, never its parent.
var roles = []string{"config", "verify", "report", "cluster", "serving", "judge", "manifest", "defaults"}

// TestImportsRunDownward reads every package's imports with go list and
// holds them to the layout: no package of webhook imports its parent or a
// role above its own, and resolvers imports neither webhook nor Kubernetes
// object types. (resolvers' own root package is the contract its
// implementations below it import, as go-containerregistry's pkg/v1 is
// for pkg/v1/remote.)
func TestImportsRunDownward(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := strings.TrimPrefix(fields[0], module), fields[1:]
		checked++
		for _, imp := range imports {
			if why := refused(pkg, imp); why != "" {
				t.Errorf("%s imports %s: %s", pkg, imp, why)
			}
		}
	}
	if checked < 40 {
		t.Fatalf("go list named %d packages: the layout was not read", checked)
	}
	t.Logf("%d packages, every import runs downward", checked)
}

// refused says why pkg may not import imp, or "".
func refused(pkg, imp string) string {
	if strings.HasPrefix(pkg, "resolvers") && (strings.HasPrefix(imp, module+"webhook") || strings.HasPrefix(imp, "k8s.io/api/") || strings.HasPrefix(imp, "k8s.io/apimachinery/pkg/apis/")) {
		return "resolvers never imports webhook nor Kubernetes object types"
	}
	rel, ok := strings.CutPrefix(imp, module)
	if !ok {
		return ""
	}
	if strings.HasPrefix(pkg, "webhook") && strings.HasPrefix(pkg+"/", rel+"/") {
		return "a package never imports its parent"
	}
	from, to := role(pkg), role(rel)
	if from < 0 || to < 0 || from == to {
		return ""
	}
	if to < from {
		return "webhook/" + roles[to] + " is a role above webhook/" + roles[from]
	}
	return ""
}

// role is the index in roles of a webhook package's folder, -1 outside.
func role(pkg string) int {
	rest, ok := strings.CutPrefix(pkg, "webhook/")
	if !ok {
		return -1
	}
	top, _, _ := strings.Cut(rest, "/")
	return slices.Index(roles, top)
}

func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		pkg, imp string
		refused  bool
	}{
		{"webhook/config", module + "webhook/judge", false},
		{"webhook/serving", module + "webhook/config", true},
		{"webhook/judge/platforms", module + "webhook/judge", true},
		{"webhook/judge", module + "webhook/judge/platforms", false},
		{"webhook/judge/circle", module + "webhook/serving/shed", true},
		{"resolvers/crio", "k8s.io/api/core/v1", true},
		{"resolvers/crio", module + "resolvers", false},
		{"cmd/admissible", module + "webhook/serving", false},
	} {
		if got := refused(tc.pkg, tc.imp) != ""; got != tc.refused {
			t.Errorf("%s importing %s: refused %v, want %v", tc.pkg, tc.imp, got, tc.refused)
		}
	}
}
