// Package pullsecrets finds the pull credentials a node would use for a pod,
// the way the kubelet does: the pod's imagePullSecrets, or, when it names
// none, those of its service account (the ServiceAccount admission plugin
// copies them into every pod it creates).
//
// Secrets and service accounts are read from an informer cache, never per
// request from the API server; a secret the cache does not hold (a legacy
// kubernetes.io/dockercfg secret, when the cache only watches
// kubernetes.io/dockerconfigjson ones) is read once through the live reader.
// A secret that does not exist, or is of another type, is a warning: the
// kubelet pulls without it.
package pullsecrets
