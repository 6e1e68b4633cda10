package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTransportDetail checks how errors without an HTTP status are worded,
// wrapped as net/http and go-containerregistry hand them over.
func TestTransportDetail(t *testing.T) {
	const expired = "no answer within 3s"
	wrap := func(err error) error {
		return &url.Error{Op: "Head", URL: "https://quay.io/v2/x/manifests/y", Err: err}
	}
	until := time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)
	tests := map[string]struct {
		err  error
		want string
	}{
		"no free slot within the Client's time": {
			err:  wrap(&busyError{host: "quay.io", limit: 16, err: context.DeadlineExceeded}),
			want: "no answer within 3s: 16 requests to quay.io already in flight",
		},
		"no free slot, one allowed": {
			err:  wrap(&busyError{host: "quay.io", limit: 1, err: context.DeadlineExceeded}),
			want: "no answer within 3s: 1 request to quay.io already in flight",
		},
		"no free slot, cancelled": {
			err:  wrap(&busyError{host: "quay.io", limit: 16, err: context.Canceled}),
			want: "lookup cancelled",
		},
		"rate limited": {
			err:  wrap(&rateLimitedError{host: "auth.docker.io", until: until}),
			want: "rate limited by auth.docker.io until 2026-03-01T12:00:30Z (Retry-After)",
		},
		"refused literal": {
			err:  wrap(&refusedError{host: "10.0.0.5", addr: netip.MustParseAddr("10.0.0.5"), kind: "a private address"}),
			want: "not contacted: 10.0.0.5 is a private address (allow private networks or 10.0.0.5/32, or make it a mirror endpoint)",
		},
		"refused name": {
			err:  wrap(&refusedError{host: "registry.corp", addr: netip.MustParseAddr("fe80::1"), kind: "a link-local address", resolved: true}),
			want: "not contacted: registry.corp resolves to fe80::1, a link-local address (allow fe80::1/128, or make it a mirror endpoint)",
		},
		"refused metadata address: no way to allow it is suggested": {
			err:  wrap(&refusedError{host: "169.254.169.254", addr: netip.MustParseAddr("169.254.169.254"), kind: "a cloud metadata address"}),
			want: "not contacted: 169.254.169.254 is a cloud metadata address",
		},
		"refused metadata name": {
			err:  wrap(&refusedError{host: "metadata.google.internal", kind: "a cloud metadata host name"}),
			want: "not contacted: metadata.google.internal is a cloud metadata host name",
		},
		"refused in a ping race": {
			err:  fmt.Errorf("ping: %w", errors.Join(errors.New("https: EOF"), wrap(&refusedError{host: "::1", addr: netip.MustParseAddr("::1"), kind: "a loopback address"}))),
			want: "not contacted: ::1 is a loopback address (allow ::1/128, or make it a mirror endpoint)",
		},
		"DNS": {
			err:  wrap(&net.DNSError{Err: "no such host", Name: "no-such-host.invalid", IsNotFound: true}),
			want: "cannot resolve host no-such-host.invalid",
		},
		"deadline": {
			err:  wrap(context.DeadlineExceeded),
			want: expired,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, transportDetail(t.Context(), tc.err, expired)); diff != "" {
				t.Errorf("transportDetail(%v) mismatch (-want +got):\n%s", tc.err, diff)
			}
		})
	}
}
