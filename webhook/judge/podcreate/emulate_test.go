package podcreate_test

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/admissible/admissible/webhook/judge/podcreate"
)

func TestEmulateVersion(t *testing.T) {
	for _, v := range []string{"1.33", "v1.33.13", "1.37"} {
		if err := podcreate.EmulateVersion(v); err != nil {
			t.Errorf("EmulateVersion(%q): %v", v, err)
		}
	}
	t.Log(podcreate.EmulatedVersion())
	for _, v := range []string{"", "one", "1.99"} {
		if err := podcreate.EmulateVersion(v); err == nil {
			t.Errorf("EmulateVersion(%q): no error", v)
		}
	}
}

func TestLibraryVersionMatchesGoMod(t *testing.T) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build info")
	}
	for _, m := range info.Deps {
		if m.Path == "k8s.io/kubernetes" {
			if !strings.HasPrefix(m.Version, "v"+podcreate.LibraryVersion+".") {
				t.Errorf("k8s.io/kubernetes is %s, LibraryVersion %s", m.Version, podcreate.LibraryVersion)
			}
			return
		}
	}
	t.Fatal("k8s.io/kubernetes not in the build")
}
