#!/usr/bin/env bash
# Builds a registry that serves the OCI referrers API once into
#   ${TRUSTGATE_REFERRERS_REGISTRY_CACHE:-~/.cache/trustgate/ggcr-registry}/<version>/registry
# distribution v3.1.2 (scripts/build-distribution.sh) has no referrers API (it answers 404, so clients use the
# referrers tag schema), and zot is not on the Go module proxy; this is go-containerregistry's registry
# (pkg/registry, the one crane and cosign test against) with WithReferrersSupport(true), from the short main in
# scripts/referrers-registry/. RegistryPeer's REFERRERS_API kind starts it. Override with GGCR_VERSION=v0.Y.Z.
# Idempotent: does nothing when the binary is cached. Prints the binary's path last; writes BUILD-INFO beside it.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${GGCR_VERSION:-v0.21.7}
out="${TRUSTGATE_REFERRERS_REGISTRY_CACHE:-$HOME/.cache/trustgate/ggcr-registry}/$version"
bin="$out/registry"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "build referrers registry: Go is needed (go.dev toolchain on PATH)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
mkdir -p "$out"
cp scripts/referrers-registry/main.go "$work/"
cat > "$work/go.mod" <<MOD
module trustgate.test/referrers-registry

go 1.24

require github.com/google/go-containerregistry $version
MOD
if ! (cd "$work" && GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0 \
    go build -trimpath -ldflags "-s -w" -o "$bin.tmp" . 2>"$work/go.log"); then
  cat "$work/go.log" >&2
  exit 1
fi
mv "$bin.tmp" "$bin"
end=$(date +%s)
{
  echo "registry (github.com/google/go-containerregistry/pkg/registry $version, referrers API on)"
  echo "built with $(go version) on $(nproc) cores in $((end - start)) s, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/BUILD-INFO"
cat "$out/BUILD-INFO" >&2
echo "$bin"
