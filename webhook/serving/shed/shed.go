package shed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// DefaultMaxInFlight is the default bound on admissions using the CPU: at
// about 0.3 ms of CPU for an admission judged in full, 128 at once on two
// cores finish within about 20 ms.
const DefaultMaxInFlight = 128

// QueueWait is how long an admission waits for a CPU slot before it is
// shed: long enough for a burst to be judged, short enough that a shed
// answer still comes well within the API server's patience.
const QueueWait = 50 * time.Millisecond

// totalFactor bounds the admissions in the process, those waiting on
// registries included, to totalFactor times maxInFlight.
const totalFactor = 8

// Warning is how the warning of an admission allowed without a verdict
// begins.
const Warning = "allowed, not judged: overloaded"

// Limiter serves at most a fixed number of requests through the handler
// it wraps and answers the others at once.
type Limiter struct {
	// next judges the admissions admitted.
	next http.Handler
	// slots holds a token per admission using the CPU.
	slots chan struct{}
	// total holds a token per admission in the process, waiting on a
	// registry or not.
	total chan struct{}
	// queueWait is how long an admission waits for a CPU slot.
	queueWait time.Duration
	// refuse answers a shed admission with a refusal (failurePolicy Fail)
	// instead of allowing it.
	refuse bool
	// shed counts the admissions answered without a verdict.
	shed prometheus.Counter
	// inFlight exports len(total).
	inFlight prometheus.GaugeFunc
	// judging exports len(slots).
	judging prometheus.GaugeFunc
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithMaxInFlight sets how many admissions are judged at once (default
// DefaultMaxInFlight; n < 1 keeps the default).
func WithMaxInFlight(n int) Option {
	return func(l *Limiter) {
		if n > 0 {
			l.slots, l.total = make(chan struct{}, n), make(chan struct{}, totalFactor*n)
		}
	}
}

// WithQueueWait sets how long an admission waits for a CPU slot before it
// is shed (default QueueWait).
func WithQueueWait(d time.Duration) Option { return func(l *Limiter) { l.queueWait = d } }

// WithRefusal answers a shed admission with a retryable refusal, as an
// install with failurePolicy Fail expects (default: allowed with a
// warning, as with Ignore).
func WithRefusal(refuse bool) Option { return func(l *Limiter) { l.refuse = refuse } }

// New returns a Limiter in front of next.
func New(next http.Handler, opts ...Option) *Limiter {
	l := &Limiter{next: next, queueWait: QueueWait}
	WithMaxInFlight(DefaultMaxInFlight)(l)
	for _, o := range opts {
		o(l)
	}
	answer := "allowed"
	if l.refuse {
		answer = "refused"
	}
	l.shed = prometheus.NewCounter(prometheus.CounterOpts{
		Name:        "admissible_admissions_shed_total",
		Help:        "Admissions answered without a verdict because the bound of admissions in flight was reached.",
		ConstLabels: prometheus.Labels{"answer": answer},
	})
	l.inFlight = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "admissible_admissions_in_flight",
		Help: "Admissions in the process now, those waiting on registries included.",
	}, func() float64 { return float64(len(l.total)) })
	l.judging = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "admissible_admissions_judging",
		Help: "Admissions holding a CPU slot now: in flight and not waiting on a registry.",
	}, func() float64 { return float64(len(l.slots)) })
	return l
}

// RegisterMetrics exports the shed counter, the admissions in flight and
// those judging.
func (l *Limiter) RegisterMetrics(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{l.shed, l.inFlight, l.judging} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// ServeHTTP judges r through the wrapped handler once it has a CPU slot,
// and answers it without a verdict when the process holds too many
// admissions or no CPU slot frees within QueueWait.
func (l *Limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case l.total <- struct{}{}:
	default:
		l.shedAnswer(w, r)
		return
	}
	defer func() { <-l.total }()
	select {
	case l.slots <- struct{}{}:
	default:
		t := time.NewTimer(l.queueWait)
		select {
		case l.slots <- struct{}{}:
			t.Stop()
		case <-t.C:
			l.shedAnswer(w, r)
			return
		}
	}
	var once sync.Once
	release := func() { once.Do(func() { <-l.slots }) }
	defer release()
	l.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), releaseKey{}, release)))
}

// releaseKey holds, in a request's context, the function giving its CPU
// slot back.
type releaseKey struct{}

// Release gives the CPU slot of the admission whose request context is ctx
// back, for the time it waits on registries: it still counts among the
// admissions in the process. Calling it again, or on a context no Limiter
// served, does nothing.
func Release(ctx context.Context) {
	if release, ok := ctx.Value(releaseKey{}).(func()); ok {
		release()
	}
}

// shedAnswer counts a shed admission and answers it.
func (l *Limiter) shedAnswer(w http.ResponseWriter, r *http.Request) {
	l.shed.Inc()
	l.answer(w, r)
}

// maxBody bounds what is read of a shed request to find its uid: the API
// server writes the uid first, so a few hundred bytes are read in practice.
const maxBody = 7 << 20

// answer writes the AdmissionReview answering a shed request.
func (l *Limiter) answer(w http.ResponseWriter, r *http.Request) {
	apiVersion, uid, err := identify(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, fmt.Sprintf("overloaded, and the request is not an AdmissionReview: %v", err), http.StatusBadRequest)
		return
	}
	why := fmt.Sprintf("%d admissions in flight in this replica", len(l.total))
	resp := &admissionv1.AdmissionResponse{UID: uid, Allowed: !l.refuse}
	if l.refuse {
		resp.Result = &metav1.Status{
			Status: metav1.StatusFailure, Code: http.StatusTooManyRequests, Reason: metav1.StatusReasonTooManyRequests,
			Message: fmt.Sprintf("not judged: overloaded (%s); retry", why),
			Details: &metav1.StatusDetails{RetryAfterSeconds: 1},
		}
	} else {
		resp.Warnings = []string{fmt.Sprintf("%s (%s): add replicas or raise maxInFlight", Warning, why)}
	}
	body, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: "AdmissionReview"},
		Response: resp,
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// identify reads the AdmissionReview's apiVersion and request.uid from
// body, stopping as soon as the uid is read. An apiVersion not seen by then
// is admission.k8s.io/v1.
func identify(body io.Reader) (apiVersion string, uid types.UID, err error) {
	apiVersion = admissionv1.SchemeGroupVersion.String()
	d := json.NewDecoder(body)
	if err := expectDelim(d, '{'); err != nil {
		return "", "", err
	}
	for d.More() {
		key, err := d.Token()
		if err != nil {
			return "", "", err
		}
		switch key {
		case "apiVersion":
			if err := d.Decode(&apiVersion); err != nil {
				return "", "", fmt.Errorf("apiVersion: %w", err)
			}
		case "request":
			uid, err := requestUID(d)
			return apiVersion, uid, err
		default:
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				return "", "", err
			}
		}
	}
	return "", "", errors.New("no request")
}

// requestUID reads the request object's uid, skipping its other fields.
func requestUID(d *json.Decoder) (types.UID, error) {
	if err := expectDelim(d, '{'); err != nil {
		return "", fmt.Errorf("request: %w", err)
	}
	for d.More() {
		key, err := d.Token()
		if err != nil {
			return "", fmt.Errorf("request: %w", err)
		}
		if key == "uid" {
			var uid types.UID
			if err := d.Decode(&uid); err != nil {
				return "", fmt.Errorf("request.uid: %w", err)
			}
			return uid, nil
		}
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return "", fmt.Errorf("request.%s: %w", key, err)
		}
	}
	return "", errors.New("request: no uid")
}

func expectDelim(d *json.Decoder, want json.Delim) error {
	t, err := d.Token()
	if err != nil {
		return err
	}
	if t != want {
		return fmt.Errorf("found %v where %q was expected", t, want)
	}
	return nil
}
