// Package shed bounds how many admissions a webhook judges at once.
//
// A webhook adds its latency to every request the API server sends it. When
// more arrive than it can judge, queueing them only makes every answer late
// and the process large, until the API server times out on all of them. A
// Limiter admits at most a fixed number of requests into the webhook
// (default 128 per process); a request beyond that bound is answered at
// once, without being judged: its AdmissionReview's uid is read from the
// first bytes of the body, nothing else is decoded.
//
// The answer for a shed admission follows the install's failurePolicy, as
// the API server would treat a webhook that did not answer: with Ignore it
// is allowed with a warning saying it was not judged; with Fail it is a
// refusal with code 429 (TooManyRequests) and a retry hint, which
// controllers and kubectl retry. Both are counted in
// admissible_admissions_shed_total.
package shed
