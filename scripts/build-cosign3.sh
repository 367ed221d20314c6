#!/usr/bin/env bash
# Builds the cosign 3.x CLI (signatures as Sigstore bundles in OCI 1.1 referrers) once (scripts/build-go-tool.sh) into
#   ${TRUSTGATE_COSIGN_CACHE:-~/.cache/trustgate/cosign}/<version>/cosign
# beside the 2.x build of scripts/build-cosign.sh, which the cosign 2.x tests keep using. CosignBundleSourceTest signs
# real images with it and uses `cosign verify` as the oracle. Override the version with COSIGN3_VERSION=v3.Y.Z.
set -euo pipefail
exec "$(dirname "$0")/build-go-tool.sh" cosign github.com/sigstore/cosign/v3/cmd/cosign \
  "${COSIGN3_VERSION:-v3.1.3}" "${TRUSTGATE_COSIGN_CACHE:-$HOME/.cache/trustgate/cosign}"
