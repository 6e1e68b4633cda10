// Package serving answers the API server's AdmissionReviews with package
// judge's Engine, and says how the webhook is registered with it.
//
// The Handler judges CREATE and UPDATE of an object and of
// pods/ephemeralcontainers; DELETE, CONNECT and every other subresource
// (status, scale) are admitted without a look. An object annotated
// admissible.dev/canary is refused whatever the modes say ("admissible
// verify" sends one with a dry run). An admission allowed in the last
// 2 seconds (WithRecentVerdicts) is answered again without being judged when
// nothing that decides its verdict changed; a refusal is never reused. The
// bound on admissions judged at once is package shed's, in front of the
// Handler.
//
// The Handler's answer lists at most 50 problems and 50 warnings, the last
// line counting the rest.
package serving
