#!/usr/bin/env bash
# Builds the cosign CLI (2.x: signatures as sha256-<hex>.sig tags) once (scripts/build-go-tool.sh) into
#   ${TRUSTGATE_COSIGN_CACHE:-~/.cache/trustgate/cosign}/<version>/cosign
# The cosign tests (CosignSignatureSourceTest, CosignWithGpgTest) sign real images in the real registry with it
# and use `cosign verify` as the oracle. Override the version with COSIGN_VERSION=v2.Y.Z.
set -euo pipefail
exec "$(dirname "$0")/build-go-tool.sh" cosign github.com/sigstore/cosign/v2/cmd/cosign \
  "${COSIGN_VERSION:-v2.6.5}" "${TRUSTGATE_COSIGN_CACHE:-$HOME/.cache/trustgate/cosign}"
