#!/usr/bin/env bash
# Builds kube-apiserver once (scripts/build-kube.sh) into ${TRUSTGATE_K8S_CACHE:-~/.cache/trustgate/k8s}/<version>/.
# Prints its path last. KubeApiServerPeer and install-test-deps.sh call it.
set -euo pipefail
exec "$(dirname "$0")/build-kube.sh" kube-apiserver
