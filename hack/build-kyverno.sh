#!/usr/bin/env bash
# Builds Kyverno's CLI from the Go module proxy into a cache directory, once
# per machine, and prints the path of the binary. Kyverno's go.mod carries
# replace directives, so "go install pkg@version" refuses it: the module is
# downloaded and built as the main module. Used only by the benchmarks
# (make load KYVERNO=1); about 25 minutes on 2 cores.
#
# Usage: hack/build-kyverno.sh [VERSION]   (default v1.19.1)
# Built with TOOLS_TOOLCHAIN of hack/toolchains.env; the cache directory names it.
# Env:   ADMISSIBLE_CACHE (default: $HOME/.cache/admissible)
set -euo pipefail
. "$(dirname "$0")/toolchains.env"
export GOTOOLCHAIN=$TOOLS_TOOLCHAIN

version=${1:-v1.19.1}
cache=${ADMISSIBLE_CACHE:-$HOME/.cache/admissible}
dir="$cache/tools/kyverno-$version-$TOOLS_TOOLCHAIN"

if [ ! -x "$dir/kyverno" ]; then
  echo "build-kyverno: building Kyverno's CLI $version from the Go module proxy (once per machine)" >&2
  src=$(GOFLAGS=-mod=mod go mod download -json "github.com/kyverno/kyverno@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
  cp -r "$src/." "$work/"
  chmod -R u+w "$work"
  mkdir -p "$dir"
  (cd "$work" && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$dir/kyverno" ./cmd/cli/kubectl-kyverno >&2)
fi
echo "$dir/kyverno"
