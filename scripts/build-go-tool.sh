#!/usr/bin/env bash
# Builds one Go command once from the Go module proxy into a cache outside the repository:
#   <cache>/<version>/<name>
# Usage: build-go-tool.sh NAME PACKAGE VERSION CACHE   (e.g. cosign github.com/sigstore/cosign/v2/cmd/cosign v2.6.5 ...)
# Idempotent: does nothing when the binary is cached. Prints the binary's path last; writes BUILD-INFO beside it.
# The test peers (build-toxiproxy.sh, build-cosign.sh) call it; kube-apiserver needs its own module set-up.
set -euo pipefail

name=$1 package=$2 version=$3 cache=$4
out="$cache/$version"
bin="$out/$name"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "build $name: Go is needed (go.dev toolchain on PATH)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
mkdir -p "$out"
# go install writes <GOBIN>/<last element of the package>; a private GOBIN keeps it out of the user's PATH.
# Its "go: downloading" lines are shown only when the build fails.
if ! GOBIN="$work" GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0 \
    go install -trimpath -ldflags "-s -w" "$package@$version" 2>"$work/go.log"; then
  cat "$work/go.log" >&2
  exit 1
fi
mv "$work/${package##*/}" "$bin.tmp"
mv "$bin.tmp" "$bin"
end=$(date +%s)
{
  echo "$name $version ($package)"
  echo "built with $(go version) on $(nproc) cores in $((end - start)) s, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/BUILD-INFO"
cat "$out/BUILD-INFO" >&2
echo "$bin"
