// Package report judges the documents of manifest files, many at once,
// each within a budget, and renders the verdicts as "admissible check"
// prints them: one block per document and a summary, or JSON.
package report
