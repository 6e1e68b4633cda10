// Package config reads admissible's configuration file (--config): one YAML
// document shared by serve, check, webhook-config, mirrors check and verify.
// docs/configuration.md is the reference a user reads; this is the summary.
//
//	# Talos' machine.registries.mirrors, verbatim (default: none, every image
//	# is looked up at its own registry). "*" is every registry without an
//	# entry of its own.
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
//	# not check). Default: enforce, but warn for registryCircle. A
//	# namespace's label admissible.dev/<check> (images, pod-templates,
//	# pod-admission, registry-circle) overrides them there; an object's
//	# annotation admissible.dev/skip lists the checks it is exempted from.
//	modes:
//	  images: enforce        # unparsable references, the registries policy, images that do not exist
//	  podTemplates: enforce  # the API server's validation of the pods a workload creates
//	  podAdmission: enforce  # the admission chain's refusals, PodSecurity, the ServiceAccount pods name
//	  registryCircle: warn   # a registry that serves its own images
//
//	# How the cluster's kube-apiserver runs its admission plugins, which the
//	# webhook cannot read: its --enable-admission-plugins,
//	# --disable-admission-plugins and --admission-control-config-file (a
//	# path where admissible runs). Default: none, the API server's defaults.
//	# An unknown plugin is refused.
//	admission:
//	  enablePlugins: [PodNodeSelector]
//	  disablePlugins: []
//	  configFile: ""
//
//	# The cluster's PodSecurity admission configuration, which the webhook
//	# cannot read (kube-apiserver --admission-control-config-file): the
//	# levels and versions of namespaces without pod-security.kubernetes.io
//	# labels, and the exemptions. Default: privileged and latest everywhere,
//	# no exemptions (as kube-apiserver's own default). An unknown level or
//	# version is refused.
//	podSecurity:
//	  defaults: {enforce: privileged, enforceVersion: latest, audit: privileged, auditVersion: latest, warn: privileged, warnVersion: latest}
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
//	# 5s). --endpoint-timeout wins. Both must be positive.
//	endpointTimeout: 3s
//
//	# The install's failurePolicy, Ignore (default) or Fail: webhook-config
//	# registers it unless --failure-policy is given, and an admission shed
//	# under overload gets the same answer (allowed with a warning, or a
//	# retryable 429 refusal).
//	failurePolicy: Ignore
//	# Admissions one replica decodes and validates at once (default 128, at
//	# least 1; package shed); those beyond it are shed.
//	maxInFlight: 128
//
// Every key is optional. A key the file does not know, or a value it
// refuses, is an error naming the key, the value and what is allowed there.
// Mirrors are checked when the lookup chain is built (package mirrors). The
// file is read up to MaxSize (1 MiB).
//
// The package turns the file into the options of the packages whose
// settings it holds (EngineOptions for package judge, ShedOptions for
// package shed, PodAdmission, AdmissionChain, Catalog; the mirrors for
// package mirrors), so it imports them; only cmd/admissible imports it.
package config
