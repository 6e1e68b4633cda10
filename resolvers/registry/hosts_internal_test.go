package registry

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRetryAfterDuration checks how a Retry-After value is read.
func TestRetryAfterDuration(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		value string
		want  string
	}{
		"seconds":           {value: "60", want: "1m0s"},
		"spaces":            {value: " 5 ", want: "5s"},
		"zero":              {value: "0", want: "0s"},
		"negative":          {value: "-5", want: "0s"},
		"absent":            {value: "", want: "30s"},
		"unreadable":        {value: "soon", want: "30s"},
		"capped":            {value: "3600", want: "10m0s"},
		"huge":              {value: "99999999999999999", want: "10m0s"},
		"HTTP date":         {value: "Sun, 01 Mar 2026 12:02:00 GMT", want: "2m0s"},
		"HTTP date, past":   {value: "Sun, 01 Mar 2026 11:00:00 GMT", want: "0s"},
		"HTTP date, capped": {value: "Mon, 02 Mar 2026 12:00:00 GMT", want: "10m0s"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, retryAfterDuration(tc.value, now).String()); diff != "" {
				t.Errorf("retryAfterDuration(%q) mismatch (-want +got):\n%s", tc.value, diff)
			}
		})
	}
}
