#!/usr/bin/env bash
# Runs govulncheck against a Go vulnerability database built offline from the
# golang.org/x/vulndb module (the usual vuln.go.dev is not reachable from CI).
# The database is built once per machine and vulndb version into the cache.
#
# Usage: hack/vulncheck.sh [govulncheck args...]   (default: ./...)
# Env:   ADMISSIBLE_CACHE (default: $HOME/.cache/admissible)
#        VULNDB_VERSION, GOVULNCHECK_VERSION
set -euo pipefail

vulndb_version=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
govulncheck_version=${GOVULNCHECK_VERSION:-v1.9.0}
cache=${ADMISSIBLE_CACHE:-$HOME/.cache/admissible}
db="$cache/vulndb/$vulndb_version"

log() { echo "vulncheck: $*" >&2; }

if [ ! -f "$db/index/db.json" ]; then
  log "building the vulnerability database from golang.org/x/vulndb@$vulndb_version"
  src=$(GOFLAGS=-mod=mod go mod download -json "golang.org/x/vulndb@$vulndb_version" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
  [ -d "$src/data/osv" ] || { log "no data/osv in $src"; exit 1; }
  tmp="$db.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  (cd "$(mktemp -d)" && go run "golang.org/x/vulndb/cmd/indexdb@$vulndb_version" -vulns "$src/data/osv" -out "$tmp")
  rm -rf "$db"
  mv "$tmp" "$db"
  log "database in $db ($(find "$db/ID" -name '*.json' | wc -l) entries)"
fi

[ $# -gt 0 ] || set -- ./...
exec go run "golang.org/x/vuln/cmd/govulncheck@$govulncheck_version" -db "file://$db" "$@"
