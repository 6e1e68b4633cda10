// Package report runs and renders what the commands report: "admissible
// check" judges the documents of manifest files, many at once, each within
// a budget, and prints the verdicts (one block per document and a summary,
// or JSON); "admissible mirrors check" probes the endpoints a node walks for
// a sample image, containerd's and Talos' or CRI-O's, and prints where each
// node's pull ends.
package report
