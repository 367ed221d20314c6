#!/usr/bin/env bash
# Prints trustgate's JVM options: the chart's javaToolOptions (Chart/values.yaml), the one place they are kept.
# `make run`, `make image` (scripts/build-image.sh) and the chart (JAVA_TOOL_OPTIONS) all use this line.
#   scripts/jvm-options.sh          space-separated (a java command line)
#   scripts/jvm-options.sh --comma  comma-separated (quarkus.jib.jvm-additional-arguments)
set -euo pipefail
cd "$(dirname "$0")/.."
opts=$(sed -n 's/^javaToolOptions: "\(.*\)"[[:space:]]*$/\1/p' Chart/values.yaml)
[ -n "$opts" ] || { echo "jvm-options: no javaToolOptions line in Chart/values.yaml" >&2; exit 2; }
if [ "${1:-}" = "--comma" ]; then echo "${opts// /,}"; else echo "$opts"; fi
