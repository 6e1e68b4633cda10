package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command in-process with stdin as standard input.
func runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr)
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	t.Logf("admissible %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

func TestRun(t *testing.T) {
	tests := map[string]struct {
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		"no command": {
			wantCode: 2, wantStderr: usage,
		},
		"unknown command": {
			args: []string{"chekc", "-f", "x.yaml"}, wantCode: 2,
			wantStderr: "admissible: unknown command \"chekc\"\n\n" + usage,
		},
		"version": {
			args: []string{"version"}, wantStdout: version + "\n",
		},
		"help": {
			args: []string{"help"}, wantStdout: usage,
		},
		"-h": {
			args: []string{"-h"}, wantStdout: usage,
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got := runCmd(t, "", tc.args...)
			want := result{code: tc.wantCode, stdout: tc.wantStdout, stderr: tc.wantStderr}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(result{})); diff != "" {
				t.Errorf("run(%q) mismatch (-want +got):\n%s", tc.args, diff)
			}
		})
	}
}

func TestMainUsageNamesEveryCommand(t *testing.T) {
	for _, cmd := range []string{"serve", "check", "webhook-config", "version"} {
		if !strings.Contains(usage, "\n  "+cmd+" ") {
			t.Errorf("usage does not list %q", cmd)
		}
	}
}
