// Package podcases generates StatefulSets whose pod templates exercise the
// API server's pod validation: hundreds of single-field variations of one
// ordinary StatefulSet, most of which a pod create refuses, plus valid specs
// that use unusual features. The cases carry no expected verdict: the real
// API server decides (test/e2e's pod validation differential), and the
// engine must agree with it.
package podcases
