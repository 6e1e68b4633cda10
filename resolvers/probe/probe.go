package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/admissible/admissible/resolvers"
)

// Outcome is what a node does with an endpoint for the sample image.
type Outcome string

// Outcomes, from best to worst.
const (
	Serves      Outcome = "serves"      // answers with a manifest
	Skipped     Outcome = "moves on"    // answers >= 400: the node tries the next endpoint
	Unreachable Outcome = "unreachable" // no answer: the node tries the next endpoint after a delay
	Broken      Outcome = "broken"      // 2xx that is not a manifest: the node stops here and fails
)

// Hop is one HTTP exchange.
type Hop struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	APIVersion  string `json:"apiVersion,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Report is what one endpoint answered.
type Report struct {
	Endpoint resolvers.Endpoint `json:"endpoint"`
	Ping     []Hop              `json:"ping"`
	Sample   []Hop              `json:"sample"`
	Outcome  Outcome            `json:"outcome"`
	// Problems lists what is wrong with the endpoint, one line each.
	Problems []string `json:"problems,omitempty"`
}

// Endpoint probes ep with the sample repository and tag through client.
// client must not follow redirects itself (Endpoint does, recording each).
func Endpoint(ctx context.Context, client *http.Client, ep resolvers.Endpoint, repository, tag string) Report {
	base := ep.Scheme + "://" + ep.Host + ep.Path
	r := Report{Endpoint: ep}
	r.Ping = follow(ctx, client, http.MethodGet, base+"/")
	r.Sample = follow(ctx, client, http.MethodHead, fmt.Sprintf("%s/%s/manifests/%s", base, repository, tag))

	last := r.Ping[len(r.Ping)-1]
	if last.Error == "" && last.APIVersion == "" && last.Status != http.StatusUnauthorized {
		r.Problems = append(r.Problems, fmt.Sprintf("ping %s answered %d without a Docker-Distribution-API-Version header: not a registry API", last.URL, last.Status))
	}
	s := r.Sample[len(r.Sample)-1]
	switch {
	case s.Error != "":
		r.Outcome = Unreachable
		r.Problems = append(r.Problems, fmt.Sprintf("no answer from %s: %s", s.URL, s.Error))
	case s.Status >= 200 && s.Status < 300 && resolvers.IsManifest(resolvers.MediaType(s.ContentType)):
		r.Outcome = Serves
	case s.Status >= 200 && s.Status < 300:
		r.Outcome = Broken
		r.Problems = append(r.Problems, fmt.Sprintf("HEAD %s answered %d with Content-Type %q: a node stops at this endpoint and the pull fails", s.URL, s.Status, s.ContentType))
	default:
		r.Outcome = Skipped
	}
	return r
}

// maxHops bounds redirects.
const maxHops = 6

// follow sends method to url, following redirects, and records every hop.
func follow(ctx context.Context, client *http.Client, method, url string) []Hop {
	var hops []Hop
	for len(hops) < maxHops {
		hop := Hop{Method: method, URL: url}
		req, err := http.NewRequestWithContext(ctx, method, url, nil)
		if err != nil {
			hop.Error = err.Error()
			return append(hops, hop)
		}
		// What a node's containerd asks for.
		req.Header.Set("Accept", resolvers.ManifestAccept)
		resp, err := client.Do(req)
		if err != nil {
			hop.Error = describe(err)
			return append(hops, hop)
		}
		resp.Body.Close()
		hop.Status = resp.StatusCode
		hop.ContentType = resp.Header.Get("Content-Type")
		hop.APIVersion = resp.Header.Get("Docker-Distribution-API-Version")
		hops = append(hops, hop)
		loc, err := resp.Location()
		if resp.StatusCode < 300 || resp.StatusCode >= 400 || err != nil {
			return hops
		}
		url = loc.String()
	}
	last := &hops[len(hops)-1]
	last.Error = fmt.Sprintf("more than %d redirects", maxHops-1)
	return hops
}

func describe(err error) string {
	var uerr interface{ Unwrap() error }
	if errors.As(err, &uerr) {
		if inner := uerr.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}

// NoRedirects is an http.Client CheckRedirect that lets Endpoint see each hop.
func NoRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
