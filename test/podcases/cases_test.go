package podcases_test

import (
	"testing"

	"github.com/admissible/admissible/test/podcases"
)

func TestCasesAreDistinct(t *testing.T) {
	cases := podcases.Cases("ns")
	if len(cases) < 360 {
		t.Errorf("%d cases, want at least 360", len(cases))
	}
	names, sets := map[string]bool{}, map[string]bool{}
	for _, c := range cases {
		if names[c.Name] {
			t.Errorf("case name %q twice", c.Name)
		}
		if sets[c.Set.Name] {
			t.Errorf("StatefulSet name %q twice", c.Set.Name)
		}
		names[c.Name], sets[c.Set.Name] = true, true
	}
	t.Logf("%d cases", len(cases))
}
