#!/usr/bin/env bash
# Builds the cosign CLI (2.x: signatures as sha256-<hex>.sig tags) once from the Go module proxy into a cache
# outside the repository:
#   ${TRUSTGATE_COSIGN_CACHE:-~/.cache/trustgate/cosign}/<version>/cosign
# Idempotent: does nothing when the binary is cached. Prints the binary's path last.
# The cosign tests (CosignAdmissionTest) sign real images in the real registry with it and use
# `cosign verify` as the oracle. Override the version with COSIGN_VERSION=v2.Y.Z.
set -euo pipefail

version=${COSIGN_VERSION:-v2.6.5}
cache=${TRUSTGATE_COSIGN_CACHE:-$HOME/.cache/trustgate/cosign}
out="$cache/$version"
bin="$out/cosign"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "build-cosign: Go is needed (go.dev toolchain on PATH)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
mkdir -p "$out"
# go install writes <GOBIN>/cosign; a private GOBIN keeps it out of the user's PATH.
# Its "go: downloading" lines are shown only when the build fails.
if ! GOBIN="$work" GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0 \
    go install -trimpath -ldflags "-s -w" "github.com/sigstore/cosign/v2/cmd/cosign@$version" 2>"$work/go.log"; then
  cat "$work/go.log" >&2
  exit 1
fi
mv "$work/cosign" "$bin.tmp"
mv "$bin.tmp" "$bin"
end=$(date +%s)
{
  echo "cosign $version (github.com/sigstore/cosign/v2/cmd/cosign)"
  echo "built with $(go version) on $(nproc) cores in $((end - start)) s, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/BUILD-INFO"
cat "$out/BUILD-INFO" >&2
echo "$bin"
