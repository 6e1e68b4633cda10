package registry

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// hostTable is what a Client knows about each host it talks to: how many of
// its requests are in flight, and until when the host asked to be left alone
// (429 with Retry-After). Hosts are keyed as in URLs: host[:port].
type hostTable struct {
	limit int // < 1: no bound
	now   func() time.Time

	mu    sync.Mutex
	slots map[string]*slots
	until map[string]time.Time
}

// slots is a counting semaphore shared by the lookups of one host; users
// counts the goroutines holding or waiting for a slot, so that the entry is
// dropped only when nobody refers to it.
type slots struct {
	c     chan struct{}
	users int
}

func newHostTable(limit int, now func() time.Time) *hostTable {
	return &hostTable{limit: limit, now: now, slots: map[string]*slots{}, until: map[string]time.Time{}}
}

// acquire waits for a free slot to host, as long as ctx allows. The returned
// release may be called any number of times.
func (h *hostTable) acquire(ctx context.Context, host string) (release func(), err error) {
	if h.limit < 1 {
		return func() {}, nil
	}
	h.mu.Lock()
	s, ok := h.slots[host]
	if !ok {
		s = &slots{c: make(chan struct{}, h.limit)}
		h.slots[host] = s
	}
	s.users++
	h.mu.Unlock()

	select {
	case s.c <- struct{}{}:
	default:
		select {
		case s.c <- struct{}{}:
		case <-ctx.Done():
			h.leave(host, s)
			return nil, &busyError{host: host, limit: h.limit, err: ctx.Err()}
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-s.c
			h.leave(host, s)
		})
	}, nil
}

func (h *hostTable) leave(host string, s *slots) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s.users--
	if s.users == 0 {
		delete(h.slots, host)
	}
}

// limitedUntil reports whether host asked to be left alone, and until when.
func (h *hostTable) limitedUntil(host string) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	u, ok := h.until[host]
	if !ok {
		return time.Time{}, false
	}
	if !h.now().Before(u) {
		delete(h.until, host)
		return time.Time{}, false
	}
	return u, true
}

// backOff records a 429 from host with the value of its Retry-After header.
func (h *hostTable) backOff(host, retryAfter string) {
	now := h.now()
	d := retryAfterDuration(retryAfter, now)
	if d <= 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if u := now.Add(d); u.After(h.until[host]) {
		h.until[host] = u
	}
}

// retryAfterDuration reads a Retry-After value, delay-seconds or HTTP-date:
// DefaultRetryAfter when absent or unreadable, at most MaxRetryAfter.
func retryAfterDuration(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	d := DefaultRetryAfter
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		d = time.Duration(min(max(s, 0), int64(MaxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(now), 0)
	}
	return min(d, MaxRetryAfter)
}

// busyError is a request that found no free slot to its host in time.
type busyError struct {
	host  string
	limit int
	err   error
}

func (e *busyError) Error() string {
	return fmt.Sprintf("waited for a free slot: %s to %s in flight: %v", requests(e.limit), e.host, e.err)
}

func (e *busyError) Unwrap() error { return e.err }

// rateLimitedError is a request not sent because its host asked, with a
// 429, to be left alone until a time.
type rateLimitedError struct {
	host  string
	until time.Time
}

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("rate limited by %s until %s (Retry-After)", e.host, e.until.UTC().Format(time.RFC3339))
}
