// Package pullsecrets finds the pull credentials a node would use for a pod,
// the way the kubelet does: the pod's imagePullSecrets, or, when it names
// none, those of its service account (the ServiceAccount admission plugin
// copies them into every pod it creates).
//
// Secrets and service accounts are read from an informer cache, never per
// request from the API server. The cache holds every secret's metadata but
// only pull secrets' data (Transform drops the rest), so a secret of any type
// and a missing one are answered from memory. A secret that does not exist,
// or is of another type, is a warning: the kubelet pulls without it.
package pullsecrets
