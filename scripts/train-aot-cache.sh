#!/usr/bin/env bash
# Trains a JDK 25 AOT cache (JEP 483/514/515: classes loaded and linked, method profiles) for trustgate:
# starts APP_DIR/quarkus-run.jar with -XX:AOTCacheOutput=OUT, lets the start-up warm-up run its rounds of real
# GPG and Notary reviews over the embedded throw-away data (TRUSTGATE_WARMUP=AOT_TRAIN_WARMUP, default 10s), sends
# AOT_TRAIN_REVIEWS AdmissionReviews over HTTPS (Pods no policy governs: the HTTP, TLS and JSON path, no network
# beyond loopback), then stops it with SIGTERM; the JVM assembles OUT at exit. No registry, no cluster.
#
#   train-aot-cache.sh JAVA APP_DIR OUT [JVM OPTIONS...]
#     JAVA      the java binary that will run the cache (the exact same JDK build: a cache made by another is
#               refused by the JVM with a warning, and trustgate then starts without it)
#     APP_DIR   the quarkus-app directory; it is run from there as `java ... -jar quarkus-run.jar`, as the image
#               runs it from /home/jboss. The cache records the jars' paths relative to it, sizes and mtimes:
#               train on the very files that will run (scripts/build-image.sh extracts them from the image).
#     OUT       the cache file to write
#     JVM OPTIONS  default: scripts/jvm-options.sh (the chart's javaToolOptions) and the image's entrypoint flags.
#               A cache is used only with compatible flags (same GC, same compressed-pointer modes).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
java=${1:?usage: train-aot-cache.sh JAVA APP_DIR OUT [JVM OPTIONS...]}
app=$(cd "${2:?APP_DIR}" && pwd)
out=${3:?OUT}
shift 3
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
if [ $# -eq 0 ]; then
  # shellcheck disable=SC2046
  set -- $("$here/scripts/jvm-options.sh") -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -Djava.io.tmpdir=/tmp
fi
warmup=${AOT_TRAIN_WARMUP:-10s}
reviews=${AOT_TRAIN_REVIEWS:-200}

work=$(mktemp -d)
pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
mkdir "$work/policies"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -f "$out"
mkdir -p "$(dirname "$out")"

t0=$(date +%s)
(cd "$app" && exec env TRUSTGATE_TLS_CERT="$work/tls.crt" TRUSTGATE_TLS_KEY="$work/tls.key" \
  TRUSTGATE_POLICIES_DIR="$work/policies" TRUSTGATE_WARMUP="$warmup" QUARKUS_HTTP_SSL_PORT="$port" \
  JAVA_TOOL_OPTIONS= "$java" "$@" -XX:AOTCacheOutput="$out" -jar quarkus-run.jar) > "$work/train.log" 2>&1 &
pid=$!
ready=""
for _ in $(seq 600); do
  if curl -fsk -o /dev/null "https://127.0.0.1:$port/q/health/ready" 2>/dev/null; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if [ -z "$ready" ]; then
  echo "train-aot-cache: trustgate did not become ready:" >&2
  tail -30 "$work/train.log" >&2
  exit 1
fi
review='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"aot-train","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"default","name":"train","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"train","namespace":"default"},"spec":{"containers":[{"name":"c","image":"example.invalid/train/app:1.0"}]}}}}'
for i in $(seq "$reviews"); do
  curl -fsk -o /dev/null -H 'Content-Type: application/json' --data "$review" "https://127.0.0.1:$port/validate" \
    || { echo "train-aot-cache: review $i failed" >&2; tail -30 "$work/train.log" >&2; exit 1; }
done
kill -TERM "$pid"
wait "$pid" || true # 143 after SIGTERM; the cache file says whether it worked
pid=""
if [ ! -s "$out" ]; then
  echo "train-aot-cache: no cache written to $out:" >&2
  grep -v 'Skipping' "$work/train.log" | tail -30 >&2
  exit 1
fi
grep -h 'warm-up:' "$work/train.log" | sed 's/^/train-aot-cache: /' >&2 || true
echo "train-aot-cache: $out ($(($(stat -c %s "$out") / 1024 / 1024)) MiB, $(($(date +%s) - t0)) s)" >&2
