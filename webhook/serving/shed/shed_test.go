package shed_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/admissible/admissible/webhook/serving/shed"
)

// gate is a handler that holds every request until released, counting
// how many it holds at once.
type gate struct {
	release chan struct{}
	entered chan struct{}
	now     atomic.Int64
	most    atomic.Int64
	served  atomic.Int64
}

func newGate() *gate { return &gate{release: make(chan struct{}), entered: make(chan struct{}, 1000)} }

func (g *gate) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	n := g.now.Add(1)
	for {
		m := g.most.Load()
		if n <= m || g.most.CompareAndSwap(m, n) {
			break
		}
	}
	g.entered <- struct{}{}
	<-g.release
	g.now.Add(-1)
	g.served.Add(1)
	_, _ = w.Write([]byte(`{"judged":true}`))
}

func post(h http.Handler, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/validate", strings.NewReader(body)))
	return rec
}

const reviewBody = `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"0b5f-42","kind":{"group":"apps","version":"v1","kind":"Deployment"},"object":{"kind":"Deployment"}}}`

func TestShedAnswer(t *testing.T) {
	for name, tc := range map[string]struct {
		refuse      bool
		body        string
		wantCode    int
		wantUID     string
		wantAPI     string
		wantAllowed bool
		wantText    string
	}{
		"allowed with a warning (Ignore)": {body: reviewBody, wantCode: 200, wantUID: "0b5f-42", wantAPI: "admission.k8s.io/v1", wantAllowed: true, wantText: "allowed, not judged: overloaded (2 admissions in flight in this replica): add replicas or raise maxInFlight"},
		"refused, retryable (Fail)":       {refuse: true, body: reviewBody, wantCode: 200, wantUID: "0b5f-42", wantAPI: "admission.k8s.io/v1", wantText: "not judged: overloaded (2 admissions in flight in this replica); retry"},
		"uid after the object":            {body: `{"request":{"object":{"metadata":{"uid":"not-this"}},"uid":"after"},"apiVersion":"admission.k8s.io/v1beta1"}`, wantCode: 200, wantUID: "after", wantAPI: "admission.k8s.io/v1", wantAllowed: true, wantText: shed.Warning},
		"apiVersion echoed":               {body: `{"apiVersion":"admission.k8s.io/v1beta1","request":{"uid":"u"}}`, wantCode: 200, wantUID: "u", wantAPI: "admission.k8s.io/v1beta1", wantAllowed: true, wantText: shed.Warning},
		"not JSON":                        {body: `<html>`, wantCode: 400, wantText: "overloaded, and the request is not an AdmissionReview"},
		"no request":                      {body: `{"apiVersion":"admission.k8s.io/v1"}`, wantCode: 400, wantText: "no request"},
		"request without uid":             {body: `{"request":{"kind":{}}}`, wantCode: 400, wantText: "request: no uid"},
		"uid not a string":                {body: `{"request":{"uid":7}}`, wantCode: 400, wantText: "request.uid"},
		"empty":                           {body: ``, wantCode: 400, wantText: "EOF"},
	} {
		t.Run(name, func(t *testing.T) {
			g := newGate()
			l := shed.New(g, shed.WithMaxInFlight(1), shed.WithRefusal(tc.refuse))
			done := make(chan struct{})
			go func() { post(l, reviewBody); close(done) }()
			<-g.entered // the one slot is taken
			rec := post(l, tc.body)
			close(g.release)
			<-done
			if rec.Code != tc.wantCode {
				t.Fatalf("code %d, want %d: %s", rec.Code, tc.wantCode, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tc.wantText) {
				t.Errorf("answer %s, want it to contain %q", rec.Body, tc.wantText)
			}
			if tc.wantCode != 200 {
				return
			}
			var ar admissionv1.AdmissionReview
			if err := json.Unmarshal(rec.Body.Bytes(), &ar); err != nil || ar.Response == nil {
				t.Fatalf("not an AdmissionReview answer (%v): %s", err, rec.Body)
			}
			if string(ar.Response.UID) != tc.wantUID || ar.APIVersion != tc.wantAPI || ar.Kind != "AdmissionReview" {
				t.Errorf("uid %q apiVersion %q kind %q, want %q %q AdmissionReview", ar.Response.UID, ar.APIVersion, ar.Kind, tc.wantUID, tc.wantAPI)
			}
			if ar.Response.Allowed != tc.wantAllowed {
				t.Errorf("allowed %v, want %v", ar.Response.Allowed, tc.wantAllowed)
			}
			if tc.refuse {
				if r := ar.Response.Result; r == nil || r.Code != http.StatusTooManyRequests || r.Details == nil || r.Details.RetryAfterSeconds != 1 {
					t.Errorf("refusal %+v, want code 429 and a retry after 1 s", r)
				}
			} else if len(ar.Response.Warnings) != 1 {
				t.Errorf("warnings %q, want one", ar.Response.Warnings)
			}
			if g.served.Load() != 1 {
				t.Errorf("the handler judged %d requests, want only the first", g.served.Load())
			}
		})
	}
}

// TestBoundedInFlight: however many arrive at once, at most the bound are
// judged together; every other one is answered without waiting for them
// (beyond the queue's short wait), and counted.
func TestBoundedInFlight(t *testing.T) {
	const bound, total = 8, 200
	g := newGate()
	l := shed.New(g, shed.WithMaxInFlight(bound))
	reg := prometheus.NewPedanticRegistry()
	if err := l.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var shedAnswers atomic.Int64
	for range bound {
		wg.Go(func() { post(l, reviewBody) })
	}
	for range bound {
		<-g.entered
	}
	if got := testutil.ToFloat64(l.InFlightGauge()); got != bound {
		t.Errorf("in flight %v, want %d", got, bound)
	}
	// Every slot is taken: the others are all answered while the judged
	// ones are still held.
	var others sync.WaitGroup
	for range total - bound {
		others.Go(func() {
			if strings.Contains(post(l, reviewBody).Body.String(), shed.Warning) {
				shedAnswers.Add(1)
			}
		})
	}
	others.Wait()
	close(g.release)
	wg.Wait()
	if g.most.Load() != bound || g.served.Load() != bound {
		t.Errorf("judged %d, at most %d at once; want %d", g.served.Load(), g.most.Load(), bound)
	}
	if shedAnswers.Load() != total-bound {
		t.Errorf("%d shed answers, want %d", shedAnswers.Load(), total-bound)
	}
	if got := testutil.ToFloat64(l.ShedCounter()); got != total-bound {
		t.Errorf("admissible_admissions_shed_total %v, want %d", got, total-bound)
	}
	if got := testutil.ToFloat64(l.InFlightGauge()); got != 0 {
		t.Errorf("in flight %v after all answered, want 0", got)
	}
}

// gateReleasing is a gate whose admissions give their CPU slot back
// before they wait, as one waiting on a registry does.
type gateReleasing struct{ *gate }

func (g gateReleasing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	shed.Release(r.Context())
	shed.Release(r.Context()) // twice: still one slot given back
	g.gate.ServeHTTP(w, r)
}

// TestReleasedWhileWaiting: admissions waiting on registries do not hold
// the CPU slots, so a burst sharing one slow lookup is judged; the process
// still holds at most 8 times the bound, and sheds the rest at once.
func TestReleasedWhileWaiting(t *testing.T) {
	const bound = 2
	g := newGate()
	l := shed.New(gateReleasing{g}, shed.WithMaxInFlight(bound))
	var wg sync.WaitGroup
	for range 8 * bound {
		wg.Go(func() { post(l, reviewBody) })
	}
	for range 8 * bound {
		<-g.entered
	}
	for range 10 {
		if body := post(l, reviewBody).Body.String(); !strings.Contains(body, shed.Warning) {
			t.Errorf("admission beyond 8 x %d in the process answered %s, want shed", bound, body)
		}
	}
	close(g.release)
	wg.Wait()
	if g.served.Load() != 8*bound {
		t.Errorf("%d judged, want %d", g.served.Load(), 8*bound)
	}
}

// TestBurstWaitsForASlot: an admission that finds every CPU slot taken
// waits for one (up to the queue wait) instead of being shed.
func TestBurstWaitsForASlot(t *testing.T) {
	g := newGate()
	l := shed.New(g, shed.WithMaxInFlight(1), shed.WithQueueWait(time.Minute))
	reg := prometheus.NewPedanticRegistry()
	if err := l.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	first := make(chan string)
	go func() { first <- post(l, reviewBody).Body.String() }()
	<-g.entered
	second := make(chan string)
	go func() { second <- post(l, reviewBody).Body.String() }()
	for testutil.ToFloat64(l.InFlightGauge()) != 2 {
		time.Sleep(time.Millisecond)
	}
	g.release <- struct{}{} // the first one finishes; the second takes its slot
	if got := <-first; !strings.Contains(got, "judged") {
		t.Errorf("first answered %s, want judged", got)
	}
	<-g.entered
	close(g.release)
	if got := <-second; !strings.Contains(got, "judged") {
		t.Errorf("second answered %s, want judged after waiting for the slot", got)
	}
	if got := testutil.ToFloat64(l.ShedCounter()); got != 0 {
		t.Errorf("%v shed, want 0", got)
	}
}
