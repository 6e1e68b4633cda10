// Package podspec walks a pod spec: every container of every list
// (containers, initContainers, ephemeralContainers) and every image
// reference (each container's image and each image volume's reference),
// with its field path. One walker serves every check, so no check keeps its
// own copy of the three container loops.
//
// Validating a pod spec is not this package's job: package podcreate runs
// the API server's own validation on the pod a controller would create.
package podspec
