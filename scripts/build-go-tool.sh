#!/usr/bin/env bash
# Builds one Go command once from the Go module proxy into a cache outside the repository:
#   <cache>/<version>/<name>
# Usage: build-go-tool.sh NAME PACKAGE VERSION CACHE [MODULE]   (e.g. cosign github.com/sigstore/cosign/v2/cmd/cosign v2.6.5 ...)
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
# MODULE (optional 5th argument): the module that holds PACKAGE. Some modules' version lists are refused by the
# proxy ("reading .../@v/list: 403"), which go install needs for its deprecation check; for those the exact version
# is downloaded and the command built inside the module with the module's own go.sum.
module=${5:-}
export GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0
if [ -z "$module" ]; then
  if ! GOBIN="$work" go install -trimpath -ldflags "-s -w" "$package@$version" 2>"$work/go.log"; then
    cat "$work/go.log" >&2
    exit 1
  fi
else
  dir=$(cd "$work" && go mod download -json "$module@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$dir" ] || { echo "build $name: could not download $module@$version" >&2; exit 1; }
  if ! (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$work/${package##*/}" "./${package#"$module"/}") \
      2>"$work/go.log"; then
    cat "$work/go.log" >&2
    exit 1
  fi
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
