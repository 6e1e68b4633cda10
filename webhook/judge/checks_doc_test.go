package judge_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/admissible/admissible/webhook/judge"
)

// The table of checks in docs/configuration.md is rendered from
// webhook.Checks: a check added there is documented here. UPDATE_DOCS=1
// rewrites it.
func TestDocsChecksTable(t *testing.T) {
	const file, begin, end = "../../docs/configuration.md", "<!-- checks:begin -->\n", "<!-- checks:end -->"
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s: no %q ... %q markers", file, begin, end)
	}
	var table strings.Builder
	table.WriteString("| check | config key | namespace label | skip word | default mode | reads |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, c := range judge.Checks {
		fmt.Fprintf(&table, "| %s | `modes.%s` | `%s` | `%s` | `%s` | %s |\n", c.Title, c.Key, c.Label(), c.Name, c.Default, c.Reads)
	}
	if got := doc[i+len(begin) : j]; got != table.String() {
		if os.Getenv("UPDATE_DOCS") != "" {
			if err := os.WriteFile(file, []byte(doc[:i+len(begin)]+table.String()+doc[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("%s's table of checks is not webhook.Checks' (UPDATE_DOCS=1 go test -run TestDocsChecksTable ./webhook/ rewrites it):\n%s", file, table.String())
	}
}
