#!/usr/bin/env bash
# Installs the real programs the tests start on loopback. Idempotent: does nothing when all are present.
# Last, builds kube-apiserver, the Toxiproxy server, cosign and the registries of the referrers tests
# (distribution v3, go-containerregistry's registry with the referrers API) from the Go module proxy into
# ~/.cache/trustgate (once; skipped when cached): about 10-20 minutes on 2 cores the first time (Toxiproxy:
# under a minute; cosign: about 13 minutes; distribution: about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v notary-server >/dev/null || need+=(notary)
command -v skopeo >/dev/null || need+=(skopeo)
command -v gpg >/dev/null || need+=(gnupg)
command -v etcd >/dev/null || need+=(etcd-server)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v openssl >/dev/null || need+=(openssl)
# Go builds kube-apiserver; Debian's may be older than Kubernetes wants, and then the go command
# fetches the toolchain that go.mod names from the Go module proxy (GOTOOLCHAIN=auto).
command -v go >/dev/null || [ -x /usr/local/go/bin/go ] || need+=(golang-go ca-certificates)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing test peers: ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi

command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
scripts/build-kube-apiserver.sh >/dev/null
scripts/build-toxiproxy.sh >/dev/null
scripts/build-cosign.sh >/dev/null
scripts/build-distribution.sh >/dev/null
scripts/build-referrers-registry.sh >/dev/null
scripts/build-notation.sh >/dev/null
