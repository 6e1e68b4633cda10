#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go module proxy into a cache directory,
# once per machine. Prints the directory that holds the binaries (usable as
# KUBEBUILDER_ASSETS).
#
# Usage: hack/build-control-plane.sh KUBE_VERSION [ETCD_VERSION]
# Both are built with TOOLS_TOOLCHAIN of hack/toolchains.env (why: there),
# never with the project's toolchain; the cache directory names it.
# Env:   ADMISSIBLE_CACHE (default: $HOME/.cache/admissible)
set -euo pipefail
. "$(dirname "$0")/toolchains.env"
export GOTOOLCHAIN=$TOOLS_TOOLCHAIN

kube_version=${1:?usage: $0 KUBE_VERSION [ETCD_VERSION]}
etcd_version=${2:-v3.6.13}
cache=${ADMISSIBLE_CACHE:-$HOME/.cache/admissible}
dir="$cache/control-plane/kube-$kube_version-etcd-$etcd_version-$TOOLS_TOOLCHAIN"

log() { echo "build-control-plane: $*" >&2; }

if [ -x "$dir/kube-apiserver" ] && [ -x "$dir/etcd" ]; then
  echo "$dir"
  exit 0
fi
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

minor=$(echo "$kube_version" | cut -d. -f2)
staging_version="v0.${kube_version#v1.}"

if [ ! -x "$dir/kube-apiserver" ]; then
  log "building kube-apiserver $kube_version with $GOTOOLCHAIN (several minutes)"
  mkdir -p "$work/apiserver"
  cd "$work/apiserver"
  go mod init admissible.local/build-apiserver >/dev/null 2>&1
  kube_mod=$(go mod download -json "k8s.io/kubernetes@$kube_version" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
  go mod edit -require="k8s.io/kubernetes@$kube_version"
  # Every staging module kubernetes replaces with ./staging/... is pinned to its
  # published v0.Y.Z instead.
  for m in $(sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*#\1#p' "$kube_mod"); do
    go mod edit -replace="$m=$m@$staging_version"
  done
  go_line=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$kube_mod")
  [ -n "$go_line" ] && go mod edit -go="$go_line"
  cat > tools.go <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
  go mod tidy -e >/dev/null 2>&1 || true
  go get "k8s.io/kubernetes/cmd/kube-apiserver@$kube_version" >/dev/null 2>&1 || true
  CGO_ENABLED=0 go build -o "$dir/kube-apiserver.tmp" \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$kube_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    k8s.io/kubernetes/cmd/kube-apiserver
  mv "$dir/kube-apiserver.tmp" "$dir/kube-apiserver"
fi

if [ ! -x "$dir/etcd" ]; then
  log "building etcd $etcd_version with $GOTOOLCHAIN"
  mkdir -p "$work/etcd"
  cd "$work/etcd"
  go mod init admissible.local/build-etcd >/dev/null 2>&1
  go get "go.etcd.io/etcd/server/v3@$etcd_version" >/dev/null 2>&1
  CGO_ENABLED=0 go build -o "$dir/etcd.tmp" -ldflags "-s -w" go.etcd.io/etcd/server/v3
  mv "$dir/etcd.tmp" "$dir/etcd"
fi

echo "$dir"
