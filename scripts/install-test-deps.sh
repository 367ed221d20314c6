#!/usr/bin/env bash
# Installs the real programs the tests start on loopback. Idempotent: does nothing when all are present.
# Last, builds kube-apiserver, kube-controller-manager, kube-scheduler and kubelet (the node suite, NodeE2EIT),
# the Toxiproxy server, cosign and the registries of the referrers tests (distribution v3, go-containerregistry's
# registry with the referrers API) from the Go module proxy into ~/.cache/trustgate (once; skipped when cached):
# the first time about 15 minutes per Kubernetes command on 2 cores (Toxiproxy: under a minute; cosign: about
# 13 minutes; distribution: about a minute).
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
# The node suite (NodeE2EIT, as root): containerd 1.6 + runc run the Pods, the CNI plugins wire them to a bridge,
# gcc builds the static pause binary, jlink (openjdk-17-jdk-headless) the base image of `make image`.
command -v containerd >/dev/null || need+=(containerd)
command -v runc >/dev/null || [ -x /usr/sbin/runc ] || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v ip >/dev/null || [ -x /usr/sbin/ip ] || need+=(iproute2)
command -v iptables >/dev/null || [ -x /usr/sbin/iptables ] || need+=(iptables)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/jlink ] || need+=(openjdk-17-jdk-headless)
# `make image` rewrites the image's OCI config to add its JDK 25 AOT cache (scripts/image-aot-cache.sh). The JDK 25
# itself (Temurin, /usr/lib/jvm/temurin-25-jdk-amd64) comes with the machine; without it the image is built on
# Debian's JDK 17, without a cache.
command -v jq >/dev/null || need+=(jq)
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
scripts/build-kube.sh kube-apiserver kube-controller-manager kube-scheduler kubelet >/dev/null
scripts/build-toxiproxy.sh >/dev/null
scripts/build-cosign.sh >/dev/null
scripts/build-cosign3.sh >/dev/null
scripts/build-distribution.sh >/dev/null
scripts/build-referrers-registry.sh >/dev/null
scripts/build-notation.sh >/dev/null
