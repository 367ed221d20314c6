#!/usr/bin/env bash
# Builds the notation CLI (Notary Project signatures) once (scripts/build-go-tool.sh) into
#   ${TRUSTGATE_NOTATION_CACHE:-~/.cache/trustgate/notation}/<version>/notation
# The proxy refuses notation's version list, so the exact version is downloaded and built inside its module.
# Override the version with NOTATION_VERSION=v1.Y.Z.
set -euo pipefail
exec "$(dirname "$0")/build-go-tool.sh" notation github.com/notaryproject/notation/cmd/notation \
  "${NOTATION_VERSION:-v1.3.2}" "${TRUSTGATE_NOTATION_CACHE:-$HOME/.cache/trustgate/notation}" \
  github.com/notaryproject/notation
