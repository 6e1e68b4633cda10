# admissible: make help lists the targets.

SHELL := bash
# The toolchains (ours, and the one third-party tools are built with) are
# written once, in hack/toolchains.env.
include hack/toolchains.env
export GOTOOLCHAIN := $(GO_TOOLCHAIN)
.SHELLFLAGS := -euo pipefail -c

# API server versions the end-to-end suite runs against: 1.33 still stores
# StatefulSets whose pod template the API server would refuse at pod creation
# (the webhook is the only guard there); 1.37 is current.
KUBE_VERSIONS ?= v1.33.13 v1.37.2
# The version the demo runs against.
DEMO_KUBE_VERSION ?= v1.33.13
ETCD_VERSION ?= v3.6.13
# golangci-lint, built from the Go module proxy with GO_TOOLCHAIN (it reads
# our code), once per machine, into ~/.cache/admissible/tools (hack/build-tool.sh).
GOLANGCI_LINT_VERSION ?= v2.15.0
# The Helm CLI the end-to-end suite drives, built with TOOLS_TOOLCHAIN.
HELM_VERSION ?= v4.3.2
# The crane CLI the check comparison runs (make load), built like helm.
CRANE_VERSION ?= v0.22.1
# Each command prints the path of its cached binary, building it first if needed.
HELM := hack/build-tool.sh helm.sh/helm/v4/cmd/helm $(HELM_VERSION)
GOLANGCI_LINT := hack/build-tool.sh github.com/golangci/golangci-lint/v2/cmd/golangci-lint $(GOLANGCI_LINT_VERSION) $(GO_TOOLCHAIN)
CRANE := hack/build-tool.sh github.com/google/go-containerregistry/cmd/crane $(CRANE_VERSION)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMAGE ?= admissible:$(VERSION)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: help
help: ## List the targets.
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build bin/admissible.
	CGO_ENABLED=0 go build -ldflags "$(LDFLAGS)" -o bin/admissible ./cmd/admissible

.PHONY: control-plane
control-plane: ## Build kube-apiserver and etcd for every tested version (cached per machine).
	@for v in $(KUBE_VERSIONS); do hack/build-control-plane.sh $$v $(ETCD_VERSION) >/dev/null; done

.PHONY: tools
tools: ## Build every cached tool: the control plane of each version, helm, golangci-lint, crane, the vulnerability database.
	@for v in $(KUBE_VERSIONS); do t=$$(date +%s); hack/build-control-plane.sh $$v $(ETCD_VERSION) >/dev/null; \
	  echo "tools: control plane $$v and etcd $(ETCD_VERSION): $$(( $$(date +%s) - t )) s"; done
	@t=$$(date +%s); $(HELM) >/dev/null; echo "tools: helm $(HELM_VERSION): $$(( $$(date +%s) - t )) s"
	@t=$$(date +%s); $(GOLANGCI_LINT) >/dev/null; echo "tools: golangci-lint $(GOLANGCI_LINT_VERSION): $$(( $$(date +%s) - t )) s"
	@t=$$(date +%s); $(CRANE) >/dev/null; echo "tools: crane $(CRANE_VERSION): $$(( $$(date +%s) - t )) s"
	@t=$$(date +%s); hack/vulncheck.sh -version >/dev/null; echo "tools: vulnerability database and govulncheck: $$(( $$(date +%s) - t )) s"

.PHONY: cold-build
cold-build: ## Build every cached tool into an empty cache (run after changing a toolchain, a tool version or a build script).
	@cache=$$(mktemp -d); trap 'chmod -R u+w "$$cache"; rm -rf "$$cache"' EXIT; \
	  echo "cold-build: an empty cache in $$cache (GO_TOOLCHAIN $(GO_TOOLCHAIN), TOOLS_TOOLCHAIN $(TOOLS_TOOLCHAIN))"; \
	  ADMISSIBLE_CACHE=$$cache $(MAKE) --no-print-directory tools

.PHONY: helm
helm: ## Build the Helm CLI the end-to-end suite drives (cached per machine) and print its path.
	@$(HELM)

.PHONY: demo
demo: ## Show the incident's manifests refused by a real API server, then the fixed ones admitted.
	@assets=$$(hack/build-control-plane.sh $(DEMO_KUBE_VERSION) $(ETCD_VERSION)); \
	  KUBEBUILDER_ASSETS=$$assets go run ./hack/demo

.PHONY: test
test: test-unit test-e2e test-resilience ## Run every test: unit, end to end on every API server version, resilience.

.PHONY: test-unit
test-unit: ## Run the unit tests (race detector on).
	go test -race -count=1 ./...

.PHONY: test-e2e
test-e2e: ## Run the end-to-end suite on every version in KUBE_VERSIONS.
	@helm=$$($(HELM)); \
	for v in $(KUBE_VERSIONS); do \
	  assets=$$(hack/build-control-plane.sh $$v $(ETCD_VERSION)); \
	  echo "== end to end on kube-apiserver $$v"; \
	  HELM=$$helm KUBEBUILDER_ASSETS=$$assets go test -tags e2e -count=1 -timeout 15m ./test/e2e/ ; \
	done

# Fuzz targets as package:target; make test runs their seed corpora
# (testdata/fuzz) as ordinary tests.
FUZZ_TARGETS := ./webhook/serving:FuzzAdmissionReview ./webhook/judge:FuzzJudge ./webhook/manifest:FuzzRead \
  ./webhook/config:FuzzConfig ./resolvers/mirrors:FuzzHostsFile ./resolvers/mirrors:FuzzImageReference
FUZZTIME ?= 10m

.PHONY: fuzz
fuzz: ## Fuzz every target for FUZZTIME each (default 10m; new crashers land in testdata/fuzz).
	@for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $${t#*:} in $${t%:*} for $(FUZZTIME)"; \
	  go test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%:*}"; \
	done

.PHONY: test-resilience
test-resilience: ## Run admissible serve as a process under SIGTERM and registry faults, with bounded counts.
	go test -tags resilience -count=1 -timeout 10m -v ./test/resilience/

# SOAK_SCALE multiplies the admissions of every resilience suite.
SOAK_SCALE ?= 10

.PHONY: soak
soak: ## The resilience suites with SOAK_SCALE times the admissions (default 10; about 10 to 20 minutes).
	RESILIENCE_SCALE=$(SOAK_SCALE) go test -tags resilience -count=1 -timeout 90m -v ./test/resilience/

.PHONY: manifests
manifests: ## Regenerate the webhook configuration in manifests/ from webhook/judge/kinds (a test fails when it is stale).
	go generate ./manifests

# KYVERNO=1 also compares check with Kyverno's CLI (built once, ~25 min).
KYVERNO ?=

.PHONY: load
load: ## Open-loop load on admissible serve at fixed rates, memory, check against crane (figures in BENCHMARKS.md).
	@crane=$$($(CRANE)); \
	  kyverno=$$( [ -z "$(KYVERNO)" ] || hack/build-kyverno.sh ); \
	  go run ./hack/load -crane "$$crane" -kyverno "$$kyverno" \
	    -scenarios cached,judged,upstream,memory,check $(LOAD_FLAGS)

.PHONY: bench
bench: ## Go benchmarks of the hot path (decode, walk, validation, the whole admission, lookups), median of 5.
	go test -run '^$$' -bench . -benchmem -count 5 ./webhook/judge/ ./webhook/serving/ ./webhook/judge/podcreate/ ./webhook/judge/admissionchain/ ./resolvers/cache/

.PHONY: vulncheck
vulncheck: ## govulncheck against a database built offline from golang.org/x/vulndb (cached per machine).
	hack/vulncheck.sh ./...

.PHONY: lint
lint: ## gofmt, go vet and golangci-lint (.golangci.yml says which linters and why).
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...
	go vet -tags e2e ./test/...
	go vet -tags resilience ./test/...
	@lint=$$($(GOLANGCI_LINT)); \
	  "$$lint" run ./...

.PHONY: docker-build
docker-build: ## Build the container image (needs a Docker engine).
	docker build --build-arg VERSION=$(VERSION) -t $(IMAGE) .
