#!/usr/bin/env bash
# Builds the notation CLI (Notary Project signatures) once (scripts/build-go-tool.sh) into
#   ${TRUSTGATE_NOTATION_CACHE:-~/.cache/trustgate/notation}/<version>/notation
# NotationSignatureSourceTest signs real images in the real registry with it and uses `notation verify` as the
# oracle. The Go module proxy refuses notation's version list, so the version is exact: NOTATION_VERSION=v1.Y.Z.
set -euo pipefail
exec "$(dirname "$0")/build-go-tool.sh" notation github.com/notaryproject/notation/cmd/notation \
  "${NOTATION_VERSION:-v1.3.2}" "${TRUSTGATE_NOTATION_CACHE:-$HOME/.cache/trustgate/notation}"
