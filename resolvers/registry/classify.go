package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/admissible/admissible/resolvers"
)

// classify turns the outcome of a manifest HEAD into an Attempt. This is the
// only place that decides what a registry's answer means:
//
//   - 2xx with a manifest (resolvers.IsManifest): Found, ends a node's walk.
//   - 2xx with anything else: Undetermined, ends a node's walk.
//   - 404 to the HEAD: NotFound.
//   - 401 to the HEAD, when the endpoint's token service issued a token
//     during the lookup and the HEAD carried it: NotFound. Docker Hub and
//     quay.io answer so for a repository that does not exist, to hide
//     private ones; a node holding the same credentials cannot pull it
//     either. Any other 401 (no token obtained, Basic credentials or none)
//     is Undetermined.
//   - Anything else, including any answer to the ping or the token request
//     around the HEAD, a host not contacted or rate limited, and every
//     transport error: Undetermined.
//
// expired is the detail for a lookup whose context ran out of time; creds
// names the credentials sent ("no credentials", "the pod's pull secret for
// ghcr.io").
func classify(ctx context.Context, ep resolvers.Endpoint, desc *v1.Descriptor, seen *observation, err error, expired, creds string) resolvers.Attempt {
	a := resolvers.Attempt{Endpoint: ep}
	status, contentType := seen.get()
	a.Status = status
	if err == nil && !resolvers.IsManifest(resolvers.MediaType(string(desc.MediaType))) {
		a.EndsWalk = true
		a.Detail = fmt.Sprintf("%d with Content-Type %q, not a manifest: pulls through this endpoint fail", status, desc.MediaType)
		return a
	}
	if err == nil {
		a.Verdict = resolvers.Found
		a.Digest = desc.Digest.String()
		a.MediaType = resolvers.MediaType(string(desc.MediaType))
		a.Detail = fmt.Sprintf("%d %s", status, http.StatusText(status))
		if status == 0 {
			a.Detail = "found"
		}
		a.EndsWalk = true
		return a
	}
	if status >= 200 && status < 300 {
		// A node's container runtime stops at the first 2xx and then fails on
		// whatever it got.
		a.EndsWalk = true
		a.Detail = fmt.Sprintf("%d with Content-Type %q, not a manifest: pulls through this endpoint fail", status, contentType)
		return a
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		if !answersManifest(terr, status) {
			// The /v2/ ping or a token request failed: that says nothing
			// about the manifest, whatever the status.
			a.Detail = statusDetail(terr)
			if r := terr.Request; r != nil {
				where := r.URL.Path
				if r.URL.Host != ep.Host {
					where = r.URL.Host + where
				}
				a.Detail = r.Method + " " + where + ": " + a.Detail
			}
			return a
		}
		a.Status = terr.StatusCode
		a.Detail = statusDetail(terr)
		switch {
		case terr.StatusCode == http.StatusNotFound:
			a.Verdict = resolvers.NotFound
		case terr.StatusCode == http.StatusUnauthorized && seen.pullToken():
			a.Verdict = resolvers.NotFound
			a.Detail = fmt.Sprintf("401 Unauthorized with a pull token (%s): the repository does not exist, or these credentials may not pull it", creds)
		case terr.StatusCode == http.StatusUnauthorized:
			a.Detail = fmt.Sprintf("%s with %s: not allowed, or not found", a.Detail, creds)
		case terr.StatusCode == http.StatusForbidden:
			a.Detail = fmt.Sprintf("%s with %s: not found, or not allowed", a.Detail, creds)
		}
		return a
	}
	a.Detail = transportDetail(ctx, err, expired)
	return a
}

// answersManifest reports whether terr is the answer to the manifest HEAD
// (status is the last answer seen to it, 0 when none came back) rather than
// to a request of the handshake before or around it.
func answersManifest(terr *transport.Error, status int) bool {
	if terr.Request != nil {
		return terr.Request.Method == http.MethodHead ||
			(terr.Request.Method == http.MethodGet && strings.Contains(terr.Request.URL.Path, "/manifests/"))
	}
	return status != 0 && status == terr.StatusCode
}

// statusDetail renders an HTTP error answer: "404 Not Found" or
// "429 Too Many Requests (TOOMANYREQUESTS)".
func statusDetail(terr *transport.Error) string {
	s := fmt.Sprintf("%d %s", terr.StatusCode, http.StatusText(terr.StatusCode))
	var codes []string
	for _, d := range terr.Errors {
		if d.Code != "" {
			codes = append(codes, string(d.Code))
		}
	}
	if len(codes) > 0 {
		s += " (" + strings.Join(codes, ", ") + ")"
	}
	return s
}

// transportDetail renders an error that carries no HTTP status.
func transportDetail(ctx context.Context, err error, expired string) string {
	var (
		dnsErr  *net.DNSError
		refused *refusedError
		limited *rateLimitedError
		busy    *busyError
	)
	switch {
	case errors.As(err, &refused):
		return "not contacted: " + refused.Error()
	case errors.As(err, &limited):
		return limited.Error()
	case errors.As(err, &busy) && errors.Is(busy.err, context.DeadlineExceeded):
		return fmt.Sprintf("%s: %s to %s already in flight", expired, requests(busy.limit), busy.host)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return expired
	case errors.Is(err, context.Canceled):
		return "lookup cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve host %s", dnsErr.Name)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return expired
	}
	return err.Error()
}

// requests renders "1 request", "16 requests".
func requests(n int) string {
	if n == 1 {
		return "1 request"
	}
	return fmt.Sprintf("%d requests", n)
}
