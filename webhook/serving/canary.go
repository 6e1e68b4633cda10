package serving

import (
	"sync/atomic"
	"time"
)

// AnnotationCanary on an object asks the webhook to refuse it, whatever the
// modes, namespace labels and skip annotation say: "admissible verify"
// sends such an object with a server-side dry run to prove that the API
// server calls the webhook and honours its refusals. Refusing it harms
// nobody: only the object that asks is refused, and a dry run stores
// nothing.
const AnnotationCanary = "admissible.dev/canary"

// CanaryRefusal is the message the webhook refuses a canary with.
const CanaryRefusal = "canary refused as asked by annotation " + AnnotationCanary + ": the API server calls this webhook and honours its refusals"

// lastAdmission is when the handler last received an AdmissionReview.
type lastAdmission struct {
	unixNano atomic.Int64
}

func (l *lastAdmission) mark(t time.Time) { l.unixNano.Store(t.UnixNano()) }

// get returns the time of the last admission, or the zero time.
func (l *lastAdmission) get() time.Time {
	n := l.unixNano.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
