#!/usr/bin/env bash
# Builds Kubernetes commands once from the Go module proxy into a cache outside the repository:
#   ${TRUSTGATE_K8S_CACHE:-~/.cache/trustgate/k8s}/<version>/<command>
# Usage: build-kube.sh [COMMAND...]   (default: kube-apiserver; the node suite also needs
#   kube-controller-manager kube-scheduler kubelet)
# Idempotent: builds only the commands not yet cached. Prints each binary's path, in argument order, last.
#
# `go install k8s.io/kubernetes/cmd/<command>@vX` fails because k8s.io/kubernetes
# replaces its staging modules (k8s.io/api, k8s.io/apiserver, ...) with local folders.
# So a throwaway module requires k8s.io/kubernetes vX.Y.Z and replaces every staging
# module named in its go.mod with the published k8s.io/<staging> v0.Y.Z, then builds.
#
# The version: the newest release that runs against Debian's etcd 3.4 (etcd-server),
# see docs/testing.md. Override with KUBE_VERSION=v1.Y.Z.
set -euo pipefail

version=${KUBE_VERSION:-v1.37.2}
cache=${TRUSTGATE_K8S_CACHE:-$HOME/.cache/trustgate/k8s}
out="$cache/$version"
[ $# -gt 0 ] || set -- kube-apiserver
missing=()
for c in "$@"; do
  case $c in
    kube-apiserver|kube-controller-manager|kube-scheduler|kubelet) ;;
    *) echo "build-kube: unknown command $c" >&2; exit 2 ;;
  esac
  [ -x "$out/$c" ] || missing+=("$c")
done
if [ ${#missing[@]} -eq 0 ]; then
  for c in "$@"; do echo "$out/$c"; done
  exit 0
fi
command -v go >/dev/null || { echo "build-kube: Go is needed (go.dev toolchain on PATH)" >&2; exit 2; }

staging_version="v0.${version#v1.}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
cd "$work"
export GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0

go mod init trustgate.local/kube-build >/dev/null 2>&1
# The go.mod of k8s.io/kubernetes names the staging modules it replaces with ./staging/src/...
gomod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
staging=$(sed -n 's#^[[:space:]]*\(k8s.io/[^[:space:]]*\) => ./staging/src/.*#\1#p' "$gomod")
[ -n "$staging" ] || { echo "build-kube: no staging replaces found in $gomod" >&2; exit 1; }
go mod edit -require "k8s.io/kubernetes@$version"
for m in $staging; do
  go mod edit -replace "$m=$m@$staging_version"
done
# Same Go language version and godebug settings as upstream's go.mod.
go_line=$(sed -n 's/^go \(.*\)$/\1/p' "$gomod" | head -1)
[ -z "$go_line" ] || go mod edit -go="$go_line"
sed -n '/^godebug [^(]/p' "$gomod" >> go.mod || true

for c in "${missing[@]}"; do
  go get "k8s.io/kubernetes/cmd/$c@$version" >/dev/null 2>&1 || true
done
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(echo "$version" | cut -d. -f2)"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
mkdir -p "$out"
for c in "${missing[@]}"; do
  go build -trimpath -ldflags "$ldflags" -o "$out/$c.tmp" "k8s.io/kubernetes/cmd/$c"
  mv "$out/$c.tmp" "$out/$c"
  end=$(date +%s)
  {
    echo "$c $version (staging modules $staging_version)"
    echo "built with $(go version) on $(nproc) cores in $((end - start)) s, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } > "$out/BUILD-INFO.$c"
  cat "$out/BUILD-INFO.$c" >&2
  start=$end
done
for c in "$@"; do echo "$out/$c"; done
