#!/usr/bin/env bash
# Builds the Toxiproxy server once from the Go module proxy into a cache outside the repository:
#   ${TRUSTGATE_TOXIPROXY_CACHE:-~/.cache/trustgate/toxiproxy}/<version>/toxiproxy-server
# Idempotent: does nothing when the binary is cached. Prints the binary's path last.
# The fault-injection tests (FaultInjectionTest) put it between trustgate and the real registry,
# lookaside store and notary-server. Override the version with TOXIPROXY_VERSION=v2.Y.Z.
set -euo pipefail

version=${TOXIPROXY_VERSION:-v2.5.0}
cache=${TRUSTGATE_TOXIPROXY_CACHE:-$HOME/.cache/trustgate/toxiproxy}
out="$cache/$version"
bin="$out/toxiproxy-server"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "build-toxiproxy: Go is needed (go.dev toolchain on PATH)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
mkdir -p "$out"
# go install writes <GOBIN>/server; a private GOBIN keeps it out of the user's PATH.
# Its "go: downloading" lines are shown only when the build fails.
if ! GOBIN="$work" GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0 \
    go install -trimpath -ldflags "-s -w" "github.com/Shopify/toxiproxy/v2/cmd/server@$version" 2>"$work/go.log"; then
  cat "$work/go.log" >&2
  exit 1
fi
mv "$work/server" "$bin.tmp"
mv "$bin.tmp" "$bin"
end=$(date +%s)
{
  echo "toxiproxy-server $version (github.com/Shopify/toxiproxy/v2/cmd/server)"
  echo "built with $(go version) on $(nproc) cores in $((end - start)) s, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/BUILD-INFO"
cat "$out/BUILD-INFO" >&2
echo "$bin"
