#!/usr/bin/env bash
# Runs govulncheck against a Go vulnerability database built offline from the
# golang.org/x/vulndb module (the usual vuln.go.dev is not reachable from CI).
# The database is built once per machine and vulndb version into the cache.
#
# Usage: hack/vulncheck.sh [govulncheck args...]   (default: ./...)
# govulncheck and indexdb run with GO_TOOLCHAIN of hack/toolchains.env: an
# analyzer of our code must know its language and standard library, and
# govulncheck reports the standard library of the toolchain it runs under.
# Env:   ADMISSIBLE_CACHE (default: $HOME/.cache/admissible)
#        VULNDB_VERSION, GOVULNCHECK_VERSION
set -euo pipefail
. "$(dirname "$0")/toolchains.env"
export GOTOOLCHAIN=$GO_TOOLCHAIN

vulndb_version=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
govulncheck_version=${GOVULNCHECK_VERSION:-v1.9.0}
cache=${ADMISSIBLE_CACHE:-$HOME/.cache/admissible}
# Advisories that do not apply (hack/vulncheck-ignore, each with its reason)
# are left out of the database; its directory names the list's hash.
ignore_file="$(cd "$(dirname "$0")" && pwd)/vulncheck-ignore"
ignored=$(sed -e 's/#.*//' "$ignore_file" | awk 'NF {print $1}')
ignore_hash=$(printf '%s\n' "$ignored" | sha256sum | cut -c1-12)
db="$cache/vulndb/$vulndb_version-$ignore_hash"

log() { echo "vulncheck: $*" >&2; }

if [ ! -f "$db/index/db.json" ]; then
  log "building the vulnerability database from golang.org/x/vulndb@$vulndb_version"
  src=$(GOFLAGS=-mod=mod go mod download -json "golang.org/x/vulndb@$vulndb_version" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
  [ -d "$src/data/osv" ] || { log "no data/osv in $src"; exit 1; }
  tmp="$db.tmp.$$"
  vulns="$db.osv.$$"
  rm -rf "$tmp" "$vulns"
  mkdir -p "$tmp" "$vulns"
  cp "$src"/data/osv/*.json "$vulns"/
  chmod -R u+w "$vulns"
  for id in $ignored; do
    rm -f "$vulns/$id.json"
    log "left out $id (hack/vulncheck-ignore)"
  done
  (cd "$(mktemp -d)" && go run "golang.org/x/vulndb/cmd/indexdb@$vulndb_version" -vulns "$vulns" -out "$tmp")
  rm -rf "$vulns"
  rm -rf "$db"
  mv "$tmp" "$db"
  log "database in $db ($(find "$db/ID" -name '*.json' | wc -l) entries)"
fi

[ $# -gt 0 ] || set -- ./...
exec go run "golang.org/x/vuln/cmd/govulncheck@$govulncheck_version" -db "file://$db" "$@"
