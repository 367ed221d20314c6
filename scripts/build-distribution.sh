#!/usr/bin/env bash
# Builds the distribution registry v3 once (scripts/build-go-tool.sh) into
#   ${TRUSTGATE_DISTRIBUTION_CACHE:-~/.cache/trustgate/distribution}/<version>/registry
# RegistryPeer's DISTRIBUTION_3 kind runs it. v3.1.2 has no OCI referrers API (it answers 404): the tests use it
# for the referrers tag schema; the API itself is tested with scripts/build-referrers-registry.sh's registry.
set -euo pipefail
exec "$(dirname "$0")/build-go-tool.sh" registry github.com/distribution/distribution/v3/cmd/registry \
  "${DISTRIBUTION_VERSION:-v3.1.2}" "${TRUSTGATE_DISTRIBUTION_CACHE:-$HOME/.cache/trustgate/distribution}"
