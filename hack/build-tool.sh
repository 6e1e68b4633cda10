#!/usr/bin/env bash
# Builds a Go command from the Go module proxy into a cache directory, once
# per machine, and prints the path of the binary. Used for the tools the
# build needs but the module does not import (golangci-lint, helm).
#
# Usage: hack/build-tool.sh PACKAGE VERSION
#   e.g. hack/build-tool.sh github.com/golangci/golangci-lint/v2/cmd/golangci-lint v2.15.0
# Env:   ADMISSIBLE_CACHE (default: $HOME/.cache/admissible)
set -euo pipefail

pkg=${1:?usage: $0 PACKAGE VERSION}
version=${2:?usage: $0 PACKAGE VERSION}
cache=${ADMISSIBLE_CACHE:-$HOME/.cache/admissible}
name=$(basename "$pkg")
dir="$cache/tools/$name-$version"

if [ ! -x "$dir/$name" ]; then
  echo "build-tool: building $name $version from the Go module proxy (once per machine)" >&2
  mkdir -p "$dir"
  # Outside the module, so its go.mod does not constrain the tool's.
  (cd "$dir" && GOFLAGS=-mod=mod GOBIN="$dir" CGO_ENABLED=0 go install -ldflags "-s -w" "$pkg@$version" >&2)
fi
echo "$dir/$name"
