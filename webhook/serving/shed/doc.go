// Package shed bounds the admissions a webhook works on at once.
//
// A webhook adds its latency to every request the API server sends it. When
// more arrive than it can judge, queueing them without bound only makes
// every answer late and the process large, until the API server times out
// on all of them. A Limiter bounds two things:
//
//   - admissions using the CPU (decoding, validating): at most maxInFlight
//     (default 128). One that finds no free slot waits at most QueueWait
//     (50 ms) for one: a burst is absorbed, an overload is not queued;
//   - admissions in the process at all, those waiting on registries
//     included: at most 8 times maxInFlight. An admission that starts
//     waiting on a registry gives its CPU slot back (Release), so a burst
//     of admissions sharing one slow lookup is still judged.
//
// An admission over either bound is answered without being judged: its
// AdmissionReview's uid is read from the first bytes of the body, nothing
// else is decoded. The answer follows the install's failurePolicy, as the
// API server would treat a webhook that did not answer: with Ignore it is
// allowed with a warning saying it was not judged; with Fail it is a
// refusal with code 429 (TooManyRequests) and a retry hint, which
// controllers and kubectl retry. Both are counted in
// admissible_admissions_shed_total.
package shed
