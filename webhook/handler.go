package webhook

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Handler answers AdmissionReviews with the Engine's verdict.
type Handler struct {
	engine *Engine
	budget time.Duration
	// verdicts counts admissions by kind and outcome.
	verdicts *prometheus.CounterVec
}

var _ admission.Handler = (*Handler)(nil)

// HandlerOption configures a Handler.
type HandlerOption func(*Handler)

// WithBudget bounds the time one admission may take, lookups included
// (default 8 s, below the API server's default 10 s webhook timeout). Lookups
// still running at the budget become warnings.
func WithBudget(d time.Duration) HandlerOption { return func(h *Handler) { h.budget = d } }

// NewHandler returns a Handler judging with e.
func NewHandler(e *Engine, opts ...HandlerOption) *Handler {
	h := &Handler{engine: e, budget: 8 * time.Second, verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "admissible_admissions_total", Help: "Admissions judged, by kind and verdict (allowed, warned, denied).",
	}, []string{"kind", "verdict"})}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Handle judges the object of a CREATE or UPDATE.
func (h *Handler) Handle(ctx context.Context, req admission.Request) admission.Response {
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return admission.Allowed("")
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(req.Object.Raw); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	ctx, cancel := context.WithTimeout(ctx, h.budget)
	defer cancel()
	v := h.engine.Judge(ctx, obj)
	h.count(req.Kind.Kind, v)
	if v.Allowed() {
		return admission.Allowed("").WithWarnings(v.Warnings...)
	}
	resp := admission.Denied(v.Message()).WithWarnings(v.Warnings...)
	resp.Result.Details = &metav1.StatusDetails{Name: req.Name, Group: req.Kind.Group, Kind: req.Kind.Kind}
	for _, d := range v.Denials {
		resp.Result.Details.Causes = append(resp.Result.Details.Causes, metav1.StatusCause{
			Type: metav1.CauseType(d.Type), Message: d.ErrorBody(), Field: d.Field,
		})
	}
	return resp
}

// RegisterMetrics exports the admission counters through reg.
func (h *Handler) RegisterMetrics(reg prometheus.Registerer) error { return reg.Register(h.verdicts) }

func (h *Handler) count(kind string, v Verdict) {
	verdict := "allowed"
	switch {
	case !v.Allowed():
		verdict = "denied"
	case len(v.Warnings) > 0:
		verdict = "warned"
	}
	h.verdicts.WithLabelValues(kind, verdict).Inc()
}
