package pullsecrets

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/admissible/admissible/resolvers/credentials"
)

// Source reads pull credentials from the cluster.
type Source struct {
	cached client.Reader
}

// New returns a Source reading through cached, an informer cache whose
// secrets went through Transform.
func New(cached client.Reader) *Source { return &Source{cached: cached} }

// Transform is an informer transform for secrets: it keeps the data of pull
// secrets and drops every other secret's data and managed fields, so the
// cache can hold all secrets without holding their contents.
func Transform(obj interface{}) (interface{}, error) {
	s, ok := obj.(*corev1.Secret)
	if !ok {
		return obj, nil
	}
	s.ManagedFields = nil
	if s.Type != corev1.SecretTypeDockerConfigJson && s.Type != corev1.SecretTypeDockercfg {
		s.Data, s.StringData = nil, nil
	}
	return s, nil
}

// PullCredentials returns the credentials of the named secrets of namespace,
// or of serviceAccount's imagePullSecrets when names is empty, in order.
func (s *Source) PullCredentials(ctx context.Context, namespace, serviceAccount string, names []string) (credentials.Set, []string) {
	var warnings []string
	if len(names) == 0 {
		var sa corev1.ServiceAccount
		err := s.cached.Get(ctx, types.NamespacedName{Namespace: namespace, Name: serviceAccount}, &sa)
		switch {
		case apierrors.IsNotFound(err):
			return credentials.Set{}, nil // the API server refuses pods of a missing service account
		case err != nil:
			return credentials.Set{}, []string{fmt.Sprintf("service account %s/%s: %v: images are looked up without its pull secrets", namespace, serviceAccount, err)}
		}
		for _, r := range sa.ImagePullSecrets {
			names = append(names, r.Name)
		}
	}
	var set credentials.Set
	for _, n := range names {
		secret, err := s.secret(ctx, namespace, n)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("imagePullSecret %s/%s: %v: images are looked up without it, as the kubelet pulls them", namespace, n, err))
			continue
		}
		c, err := parse(secret)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("imagePullSecret %s/%s: %v", namespace, n, err))
			continue
		}
		set = set.Append(c)
	}
	return set, warnings
}

// secret reads a secret from the cache.
func (s *Source) secret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	var secret corev1.Secret
	err := s.cached.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, &secret)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("not found")
	}
	if err != nil {
		return nil, err
	}
	return &secret, nil
}

// parse reads the docker config of a pull secret.
func parse(secret *corev1.Secret) (credentials.Set, error) {
	var key string
	switch secret.Type {
	case corev1.SecretTypeDockerConfigJson:
		key = corev1.DockerConfigJsonKey
	case corev1.SecretTypeDockercfg:
		key = corev1.DockerConfigKey
	default:
		return credentials.Set{}, fmt.Errorf("type %q is not a pull secret (want %s or %s)", secret.Type, corev1.SecretTypeDockerConfigJson, corev1.SecretTypeDockercfg)
	}
	data, ok := secret.Data[key]
	if !ok {
		return credentials.Set{}, fmt.Errorf("no %s key", key)
	}
	return credentials.Parse(data)
}
