// Package config reads admissible's configuration file (--config): one YAML
// document shared by serve, check, webhook-config and mirrors check.
//
//	# Talos' machine.registries.mirrors, verbatim (default: none, every image
//	# is looked up at its own registry).
//	mirrors:
//	  docker.io:
//	    endpoints: [https://harbor.example/v2/docker.io]
//	    overridePath: true
//	  quay.io:
//	    endpoints: [http://127.0.0.1:5000]
//	    skipFallback: true
//
//	# What each check does with a problem: enforce (refuse the object), warn
//	# (admit it, the problem as a warning prefixed "[warn mode] ") or off (do
//	# not check). Default: enforce for all. A namespace's labels
//	# admissible.dev/images, admissible.dev/pod-templates and
//	# admissible.dev/pod-admission override them there; an object's annotation
//	# admissible.dev/skip: images,pod-templates,pod-admission exempts that
//	# object (with a warning saying so). check has no cluster: only these
//	# modes and the annotation apply, and pod admission is not checked.
//	modes:
//	  images: enforce        # unparsable references, the registries policy, images that do not exist
//	  podTemplates: enforce  # the API server's validation of the pods a workload creates
//	  podAdmission: enforce  # PodSecurity, and the ServiceAccount, PriorityClass, RuntimeClass pods name
//
//	# The cluster's PodSecurity admission configuration, which the webhook
//	# cannot read (kube-apiserver --admission-control-config-file): the levels
//	# of namespaces without pod-security.kubernetes.io labels, and the
//	# exemptions. Default: privileged everywhere, no exemptions (as
//	# kube-apiserver's own default).
//	podSecurity:
//	  defaults: {enforce: privileged, enforceVersion: latest, audit: privileged, warn: privileged}
//	  exemptions: {namespaces: [], runtimeClasses: [], usernames: []}
//
//	# Which registry hosts images may name: path.Match globs on the host
//	# (port included; Docker Hub is docker.io). Deny wins; when allow is not
//	# empty, a host it does not match is refused. A refused image is never
//	# looked up. Part of the images check: its mode applies. Default: both
//	# empty, every registry allowed.
//	registries:
//	  allow: ["*.corp.example", docker.io, quay.io]
//	  deny: [evil.example]
//
//	# Kinds to judge besides the built-in ones (default: none). Paths are
//	# dot-separated field names; "name[]" walks every item of a list:
//	# spec.sidecars[].image. imagePaths hold image references,
//	# podTemplatePaths pod specs (containers, env, volumes). group may be
//	# empty; version, kind, resource (the plural used in webhook rules) and
//	# at least one path are required; a kind built in or listed twice is
//	# refused. webhook-config --config adds them to the webhook's rules.
//	customResources:
//	  - group: argoproj.io
//	    version: v1alpha1
//	    kind: Rollout
//	    resource: rollouts
//	    podTemplatePaths: [spec.template.spec]
//	  - group: example.com
//	    version: v1
//	    kind: App
//	    resource: apps
//	    imagePaths: [spec.image, spec.sidecars[].image]
//
//	# Time one admission may take (serve default 8s, check default 30s per
//	# object); lookups still running then become warnings. --budget wins.
//	budget: 8s
//	# Time one registry endpoint may take (serve default 3s, check default
//	# 5s). --endpoint-timeout wins.
//	endpointTimeout: 3s
//
// Every key is optional. A key the file does not know, or a value it
// refuses, is an error naming the key, the value and what is allowed there.
// Mirrors are checked when the lookup chain is built (package mirrors).
//
// The package sits beside webhook and resolvers rather than inside either:
// the file holds settings of both (modes and kinds for the engine, mirrors
// for the lookups), and neither should import the other's implementation.
package config
