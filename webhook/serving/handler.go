package serving

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/admissible/admissible/webhook/judge"

	"github.com/prometheus/client_golang/prometheus"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/admissible/admissible/webhook/defaults"
	"github.com/admissible/admissible/webhook/serving/shed"
)

// Handler answers AdmissionReviews with the judge.Engine's verdict.
type Handler struct {
	engine *judge.Engine
	budget time.Duration
	// namespaces reads the labels that set a namespace's modes; nil means
	// the engine's modes apply everywhere.
	namespaces NamespaceLabeler
	// verdicts counts admissions by kind and outcome.
	verdicts *prometheus.CounterVec
	// last is when an AdmissionReview last arrived, exported as
	// lastGauge and by LastAdmission.
	last      lastAdmission
	lastGauge prometheus.GaugeFunc
	// recent remembers allowed answers for a short time; nil: never.
	recent *recent
	// reused counts the admissions answered from recent.
	reused prometheus.Counter
}

var _ admission.Handler = (*Handler)(nil)

// NamespaceLabeler returns the labels of a namespace.
type NamespaceLabeler interface {
	NamespaceLabels(ctx context.Context, name string) (map[string]string, error)
}

// HandlerOption configures a Handler.
type HandlerOption func(*Handler)

// WithBudget bounds the time one admission may take, lookups included
// (default 8 s, below the API server's default 10 s webhook timeout). Lookups
// still running at the budget become warnings.
func WithBudget(d time.Duration) HandlerOption { return func(h *Handler) { h.budget = d } }

// WithNamespaces sets where namespace labels are read (default: nowhere, the
// engine's modes apply in every namespace). A namespace whose labels cannot
// be read gets the engine's modes and a warning saying so.
func WithNamespaces(n NamespaceLabeler) HandlerOption { return func(h *Handler) { h.namespaces = n } }

// WithRecentVerdicts sets how long an allowed answer is given again to the
// same admission without judging it anew (default 2 s; 0: never). See
// recent for what "the same" means.
func WithRecentVerdicts(period time.Duration) HandlerOption {
	return func(h *Handler) {
		h.recent = nil
		if period > 0 {
			h.recent = newRecent(period)
		}
	}
}

// NewHandler returns a Handler judging with e.
func NewHandler(e *judge.Engine, opts ...HandlerOption) *Handler {
	h := &Handler{engine: e, budget: defaults.Budget, recent: newRecent(defaults.RecentVerdicts), verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "admissible_admissions_total", Help: "Admissions judged, by kind and verdict (allowed, warned, denied).",
	}, []string{"kind", "verdict"})}
	h.reused = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "admissible_admissions_reused_total",
		Help: "Admissions answered with the allowed verdict given to the same admission within the last seconds (also counted in admissible_admissions_total).",
	})
	h.lastGauge = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "admissible_last_admission_timestamp_seconds",
		Help: "When the webhook last received an AdmissionReview (Unix time; 0: none since it started).",
	}, func() float64 {
		t := h.last.get()
		if t.IsZero() {
			return 0
		}
		return float64(t.UnixNano()) / 1e9
	})
	for _, o := range opts {
		o(h)
	}
	return h
}

// judgedSubresources are the subresources whose object is a whole pod
// template holder: "" is the object itself. Status and scale are never
// judged, whatever the webhook's rules say.
var judgedSubresources = map[string]bool{"": true, "ephemeralcontainers": true}

// Handle judges the object of a CREATE or UPDATE; an UPDATE is judged
// against the object it replaces.
func (h *Handler) Handle(ctx context.Context, req admission.Request) admission.Response {
	h.last.mark(time.Now())
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return admission.Allowed("")
	}
	if !judgedSubresources[req.SubResource] {
		return admission.Allowed("")
	}
	ctx, cancel := context.WithTimeout(ctx, h.budget)
	defer cancel()
	var warnings []string
	var labels map[string]string
	labelsRead := true
	if h.namespaces != nil && req.Namespace != "" {
		var err error
		if labels, err = h.namespaces.NamespaceLabels(ctx, req.Namespace); err != nil {
			warnings = append(warnings, fmt.Sprintf("namespace %s: labels not read (%v): the configured modes apply", req.Namespace, err))
			labelsRead = false
		}
	}
	var key [sha256.Size]byte
	remember := false
	if h.recent != nil && labelsRead {
		key, remember = h.recent.key(req, labels)
	}
	if remember {
		if w, ok := h.recent.get(key); ok {
			h.reused.Inc()
			h.count(req.Kind.Kind, judge.Verdict{Warnings: w})
			return admission.Allowed("").WithWarnings(w...)
		}
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(req.Object.Raw); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if _, ok := obj.GetAnnotations()[AnnotationCanary]; ok {
		// Not counted among the verdicts: it judges nothing.
		logf.FromContext(ctx).Info("canary refused", "annotation", AnnotationCanary)
		return admission.Denied(CanaryRefusal)
	}
	jr := judge.Request{
		Object: obj, NamespaceLabels: labels, Username: req.UserInfo.Username, DryRun: req.DryRun != nil && *req.DryRun,
		// Waiting on registries, an admission gives its CPU slot back.
		Waiting: func() { shed.Release(ctx) },
	}
	if req.Operation == admissionv1.Update && len(req.OldObject.Raw) > 0 {
		old := &unstructured.Unstructured{}
		if err := old.UnmarshalJSON(req.OldObject.Raw); err != nil {
			return admission.Errored(http.StatusBadRequest, fmt.Errorf("old object: %w", err))
		}
		jr.Old = old
	}
	v := h.engine.Judge(ctx, jr)
	v.Warnings = append(warnings, v.Warnings...)
	h.record(ctx, req.Kind.Kind, v)
	answerWarnings := capLines(v.Warnings, maxAnswerLines, "warnings")
	if v.Allowed() {
		if remember && ctx.Err() == nil {
			h.recent.put(key, answerWarnings)
		}
		return admission.Allowed("").WithWarnings(answerWarnings...)
	}
	denials := v.Denials
	message := v.Message()
	if len(denials) > maxAnswerLines {
		message = fmt.Sprintf("%d problems:\n%s", len(denials), strings.Join(capLines(v.Problems(), maxAnswerLines, "problems"), "\n"))
		denials = denials[:maxAnswerLines]
	}
	resp := admission.Denied(message).WithWarnings(answerWarnings...)
	resp.Result.Details = &metav1.StatusDetails{Name: req.Name, Group: req.Kind.Group, Kind: req.Kind.Kind}
	for _, d := range denials {
		resp.Result.Details.Causes = append(resp.Result.Details.Causes, metav1.StatusCause{
			Type: metav1.CauseType(d.Type), Message: judge.OneLine(d.ErrorBody()), Field: d.Field,
		})
	}
	return resp
}

// maxAnswerLines bounds the problems and the warnings one answer lists: the
// API server keeps about 4 KiB of warnings, and a user reads the first
// screen. The count of those left out ends the list.
const maxAnswerLines = 50

// capLines returns at most max lines: the first max-1 and a last one
// counting the rest.
func capLines(lines []string, max int, what string) []string {
	if len(lines) <= max {
		return lines
	}
	out := append([]string(nil), lines[:max-1]...)
	return append(out, fmt.Sprintf("... and %d more %s", len(lines)-max+1, what))
}

// RegisterMetrics exports the admission counters and the time of the last
// admission through reg.
func (h *Handler) RegisterMetrics(reg prometheus.Registerer) error {
	if err := reg.Register(h.verdicts); err != nil {
		return err
	}
	if err := reg.Register(h.reused); err != nil {
		return err
	}
	return reg.Register(h.lastGauge)
}

// LastAdmission is when the handler last received an AdmissionReview; the
// zero time when none arrived since it started.
func (h *Handler) LastAdmission() time.Time { return h.last.get() }

// count counts the verdict and returns its label.
func (h *Handler) count(kind string, v judge.Verdict) string {
	verdict := "allowed"
	switch {
	case !v.Allowed():
		verdict = "denied"
	case len(v.Warnings) > 0:
		verdict = "warned"
	}
	h.verdicts.WithLabelValues(kind, verdict).Inc()
	return verdict
}

// record counts the verdict and logs it through the request's logger, which
// controller-runtime gives the admission's UID, object and user.
func (h *Handler) record(ctx context.Context, kind string, v judge.Verdict) {
	if verdict := h.count(kind, v); verdict != "allowed" {
		logf.FromContext(ctx).Info("judged", "verdict", verdict, "problems", v.Problems(), "warnings", v.Warnings)
	}
}
