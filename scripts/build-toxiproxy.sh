#!/usr/bin/env bash
# Builds the Toxiproxy server once (scripts/build-go-tool.sh) into
#   ${TRUSTGATE_TOXIPROXY_CACHE:-~/.cache/trustgate/toxiproxy}/<version>/toxiproxy-server
# The fault-injection tests (FaultInjectionTest) put it between trustgate and the real registry,
# lookaside store and notary-server. Override the version with TOXIPROXY_VERSION=v2.Y.Z.
set -euo pipefail
exec "$(dirname "$0")/build-go-tool.sh" toxiproxy-server github.com/Shopify/toxiproxy/v2/cmd/server \
  "${TOXIPROXY_VERSION:-v2.5.0}" "${TRUSTGATE_TOXIPROXY_CACHE:-$HOME/.cache/trustgate/toxiproxy}"
