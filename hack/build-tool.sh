#!/usr/bin/env bash
# Builds a Go command from the Go module proxy into a cache directory, once
# per machine, and prints the path of the binary. Used for the tools the
# build needs but the module does not import (golangci-lint, helm, crane).
#
# Usage: hack/build-tool.sh PACKAGE VERSION [TOOLCHAIN]
#   e.g. hack/build-tool.sh helm.sh/helm/v4/cmd/helm v4.3.2
# TOOLCHAIN defaults to TOOLS_TOOLCHAIN of hack/toolchains.env (third-party
# programs); the Makefile passes GO_TOOLCHAIN for golangci-lint, an analyzer of
# our code. The cache directory names the toolchain.
# Env:   ADMISSIBLE_CACHE (default: $HOME/.cache/admissible)
set -euo pipefail
. "$(dirname "$0")/toolchains.env"

pkg=${1:?usage: $0 PACKAGE VERSION [TOOLCHAIN]}
version=${2:?usage: $0 PACKAGE VERSION [TOOLCHAIN]}
toolchain=${3:-$TOOLS_TOOLCHAIN}
cache=${ADMISSIBLE_CACHE:-$HOME/.cache/admissible}
name=$(basename "$pkg")
dir="$cache/tools/$name-$version-$toolchain"

if [ ! -x "$dir/$name" ]; then
  echo "build-tool: building $name $version with $toolchain from the Go module proxy (once per machine)" >&2
  mkdir -p "$dir"
  # Outside the module, so its go.mod does not constrain the tool's.
  (cd "$dir" && GOTOOLCHAIN=$toolchain GOFLAGS=-mod=mod GOBIN="$dir" CGO_ENABLED=0 \
    go install -ldflags "-s -w" "$pkg@$version" >&2)
fi
echo "$dir/$name"
