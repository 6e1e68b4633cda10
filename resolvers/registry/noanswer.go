package registry

import (
	"strings"

	"github.com/admissible/admissible/resolvers"
)

// Details of an attempt whose endpoint did not answer in time (Lookup).
const (
	noAnswerDetail    = "no answer within "
	budgetSpentDetail = "lookup budget spent before an answer"
)

// NoAnswer reports whether a, an attempt of Lookup, ended because its
// endpoint did not answer in time: the Client's timeout, the caller's
// budget, or every slot to the host taken by requests that did not finish.
// It is false for an endpoint that failed at once (a refused connection,
// an unknown host, an HTTP status), whose failure a node's runtime sees as
// fast.
func NoAnswer(a resolvers.Attempt) bool {
	if a.Status != 0 || a.Verdict != resolvers.Undetermined || a.EndsWalk {
		return false
	}
	return strings.HasPrefix(a.Detail, noAnswerDetail) || strings.HasPrefix(a.Detail, budgetSpentDetail)
}
