package main

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"
	utilversion "k8s.io/apimachinery/pkg/util/version"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/admissible/admissible/webhook/cluster"
	"github.com/admissible/admissible/webhook/judge/podcreate"
)

// startCluster starts the informers the webhook reads the cluster through
// and makes pod validation follow the API server's version (kubeVersion, when
// given, instead). It returns the readers and the version's minor.
func startCluster(ctx context.Context, kubeconfig, kubeVersion string, log logr.Logger) (*cluster.Cluster, int, error) {
	cfg, err := restConfig(kubeconfig)
	if err != nil {
		return nil, 0, fmt.Errorf("reading pull secrets, namespace labels and pod admission's objects needs the API server: %w (or pass --no-cluster-credentials)", err)
	}
	if kubeVersion == "" {
		if kubeVersion, err = serverVersion(cfg); err != nil {
			return nil, 0, err
		}
	}
	if err := emulate(kubeVersion); err != nil {
		// A newer API server than the validation code: judge by the newest
		// rules known, and say so.
		log.Error(err, "pod templates are judged by the rules of Kubernetes "+podcreate.EmulatedVersion())
	}
	log.Info("pod rules", "kubernetesVersion", podcreate.EmulatedVersion())
	c, err := cluster.Start(ctx, cfg, log)
	if err != nil {
		return nil, 0, err
	}
	minor := 0
	if v, err := utilversion.ParseGeneric(podcreate.EmulatedVersion()); err == nil {
		minor = int(v.Minor())
	}
	return c, minor, nil
}

func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig != "" {
		return clientcmd.BuildConfigFromFlags("", kubeconfig)
	}
	if cfg, err := rest.InClusterConfig(); err == nil {
		return cfg, nil
	}
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
}
