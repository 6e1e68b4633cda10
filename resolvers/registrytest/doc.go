// Package registrytest gives tests a real registry: go-containerregistry's
// in-memory registry served over HTTP on loopback, and a way to push small
// random images to any registry a test runs. For tests only.
package registrytest
