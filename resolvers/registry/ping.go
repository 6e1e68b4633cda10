package registry

import (
	"net/http"
	"sync"
	"time"
)

// pingPeriod is how long an endpoint's answer to the /v2/ ping is given
// again instead of asking: the ping says whether the endpoint wants a token
// and from where, which does not change from one repository to the next.
const pingPeriod = 5 * time.Minute

// pings remembers an endpoint's answer to the /v2/ ping, so that looking
// up many repositories on one host pings it once, not once per repository
// (go-containerregistry pings for each repository it opens). Only a 200 or
// a 401 and its challenge are remembered; one ping at a time is sent, and
// lookups arriving meanwhile wait for its answer.
type pings struct {
	now  func() time.Time
	slot chan struct{}

	mu     sync.Mutex
	status int
	header http.Header
	until  time.Time
}

func newPings(now func() time.Time) *pings {
	return &pings{now: now, slot: make(chan struct{}, 1)}
}

// do answers the ping req from memory, or sends it with send and
// remembers the answer.
func (p *pings) do(req *http.Request, send func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	if resp, ok := p.replay(req); ok {
		return resp, nil
	}
	select {
	case p.slot <- struct{}{}:
	case <-req.Context().Done():
		closeBody(req)
		return nil, req.Context().Err()
	}
	defer func() { <-p.slot }()
	if resp, ok := p.replay(req); ok {
		return resp, nil
	}
	resp, err := send(req)
	if err == nil && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized) {
		p.mu.Lock()
		p.status, p.header, p.until = resp.StatusCode, resp.Header.Clone(), p.now().Add(pingPeriod)
		p.mu.Unlock()
	}
	return resp, err
}

// replay returns the remembered answer, if any, as the answer to req.
func (p *pings) replay(req *http.Request) (*http.Response, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status == 0 || !p.now().Before(p.until) {
		return nil, false
	}
	closeBody(req)
	return &http.Response{
		Status: http.StatusText(p.status), StatusCode: p.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: p.header.Clone(), Body: http.NoBody, Request: req,
	}, true
}
