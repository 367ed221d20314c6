#!/usr/bin/env bash
# Trains a JDK 25 AOT cache (JEP 483/514/515: classes loaded and linked, method profiles) for trustgate:
# starts APP_DIR/quarkus-run.jar with -XX:AOTCacheOutput=OUT, lets the start-up warm-up run its rounds of real
# GPG and Notary reviews over the embedded throw-away data (TRUSTGATE_WARMUP=AOT_TRAIN_WARMUP, default 10s: the
# classes and profiles of the cold GPG and Notary paths), then sends AOT_TRAIN_REVIEWS AdmissionReviews (default
# 20000) over keep-alive HTTPS connections, as the API server sends them: mostly Pods of three images a policy
# governs, verified once and then answered from the verdict cache (the warm path, whose method profiles let the
# JIT compile it soon after the next start), some of an image no policy governs, some Deployments to /mutate.
# The governed images live on this machine only: a loopback registry (python3) that answers the tags' HEAD, a
# file:// lookaside with GPG simple signatures by a throw-away key made here (gpg; without gpg only ungoverned
# reviews are sent). Then it stops trustgate with SIGTERM; the JVM assembles OUT at exit. No network beyond
# loopback, no registry or cluster outside.
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
reviews=${AOT_TRAIN_REVIEWS:-20000}

work=$(mktemp -d)
pid=""
registry_pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
mkdir "$work/policies"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
registry_port=$(free_port)
registry="127.0.0.1:$registry_port"
insecure=""
images=()
if command -v gpg > /dev/null; then
  # Three images: a manifest each (its sha256 is the digest the registry answers), signed for its tag by a key
  # made for this run and deleted with $work; a policy requiring that key.
  export GNUPGHOME="$work/gnupg"
  mkdir -m 700 "$GNUPGHOME"
  gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-gen-key 'trustgate AOT training <aot-train@trustgate.invalid>' default default never 2>/dev/null
  fpr=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
  mkdir -p "$work/lookaside" "$work/manifests"
  for i in 1 2 3; do
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%064d","size":%d},"layers":[]}' 0 "$i" \
      > "$work/manifests/app-$i"
    hex=$(sha256sum "$work/manifests/app-$i" | cut -d' ' -f1)
    ref="$registry/aot-train/app-$i:1.0"
    printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"sha256:%s"},"type":"atomic container signature"},"optional":{}}' \
      "$ref" "$hex" > "$work/payload"
    mkdir -p "$work/lookaside/aot-train/app-$i@sha256=$hex"
    gpg --batch --quiet --pinentry-mode loopback --passphrase '' -u "$fpr" --sign 2>/dev/null \
      -o "$work/lookaside/aot-train/app-$i@sha256=$hex/signature-1" "$work/payload"
    images+=("$ref")
  done
  key=$(gpg --batch --armor --export "$fpr" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')
  cat > "$work/policies/aot-train.json" <<POLICY
{"apiVersion":"trustgate.io/v1alpha1","kind":"ClusterTrustPolicy","metadata":{"name":"aot-train"},
 "spec":{"mode":"Enforce","images":["$registry/aot-train/**"],"minSignatures":1,"lookaside":"file://$work/lookaside",
 "signers":[{"name":"aot-train","keys":[$key]}]}}
POLICY
  # The registry: HEAD (or GET) /v2/aot-train/app-N/manifests/1.0 answers that manifest and its digest.
  python3 - "$registry_port" "$work/manifests" > "$work/registry.log" 2>&1 <<'REGISTRY' &
import hashlib, http.server, os, sys
port, root = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self, body):
        parts = self.path.split("/")
        name = parts[3] if len(parts) == 6 and parts[1:3] == ["v2", "aot-train"] and parts[4] == "manifests" else ""
        f = os.path.join(root, name)
        if self.path == "/v2/":
            data, ctype, code = b"{}", "application/json", 200
        elif name and os.path.isfile(f):
            data, ctype, code = open(f, "rb").read(), "application/vnd.oci.image.manifest.v1+json", 200
        else:
            data, ctype, code = b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', "application/json", 404
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if code == 200 and name:
            self.send_header("Docker-Content-Digest", "sha256:" + hashlib.sha256(data).hexdigest())
        self.end_headers()
        if body:
            self.wfile.write(data)
    def do_HEAD(self): self.answer(False)
    def do_GET(self): self.answer(True)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
REGISTRY
  registry_pid=$!
  insecure=$registry
else
  echo "train-aot-cache: no gpg: training with reviews of ungoverned images only" >&2
fi
rm -f "$out"
mkdir -p "$(dirname "$out")"

t0=$(date +%s)
(cd "$app" && exec env TRUSTGATE_TLS_CERT="$work/tls.crt" TRUSTGATE_TLS_KEY="$work/tls.key" \
  TRUSTGATE_POLICIES_DIR="$work/policies" TRUSTGATE_WARMUP="$warmup" QUARKUS_HTTP_SSL_PORT="$port" \
  TRUSTGATE_INSECURE_REGISTRIES="$insecure" \
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
# The load: AOT_TRAIN_REVIEWS reviews over 2 keep-alive connections (each reconnecting every 2000 reviews, so that
# TLS handshakes are trained too); of every 10: 8 Pods of the three governed images to /validate, 1 Pod of an
# ungoverned image to /validate, 1 Deployment of a governed image to /mutate. Every answer must be an
# AdmissionReview (a denial is an answer: without gpg, and for the ungoverned image, every review is denied).
python3 - "$port" "$reviews" "${images[@]}" <<'LOAD' 2> "$work/load.log" || { cat "$work/load.log" >&2; tail -30 "$work/train.log" >&2; exit 1; }
import http.client, json, ssl, sys, threading
port, total, images = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
def review(kind, spec, uid):
    group = "apps" if kind == "Deployment" else ""
    plural = kind.lower() + "s"
    return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": uid, "kind": {"group": group, "version": "v1", "kind": kind},
        "resource": {"group": group, "version": "v1", "resource": plural}, "operation": "CREATE",
        "namespace": "default", "name": "train", "object": {"apiVersion": (group + "/v1").lstrip("/"), "kind": kind,
        "metadata": {"name": "train", "namespace": "default"}, "spec": spec}}}).encode()
def pod(imgs):
    return {"containers": [{"name": "c%d" % i, "image": im} for i, im in enumerate(imgs)]}
ungoverned = review("Pod", pod(["example.invalid/train/app:1.0"]), "aot-train-ungoverned")
governed = review("Pod", pod(images), "aot-train-governed") if images else ungoverned
deployment = review("Deployment", {"replicas": 1, "template": {"spec": pod(images[:1])}}, "aot-train-deployment") \
    if images else ungoverned
counts = {"allowed": 0, "denied": 0}
lock = threading.Lock()
errors = []
def run(n):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = None
    try:
        for i in range(n):
            if i % 2000 == 0:
                if conn: conn.close()
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
            k = i % 10
            path, body = ("/mutate", deployment) if k == 9 and images else \
                ("/validate", ungoverned if k == 8 else governed)
            conn.request("POST", path, body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            answer = r.read()
            if r.status != 200 or b'"response"' not in answer:
                raise RuntimeError("review %d: HTTP %d %s" % (i, r.status, answer[:300]))
            with lock:
                counts["allowed" if b'"allowed":true' in answer else "denied"] += 1
    except Exception as e:
        errors.append(e)
threads = [threading.Thread(target=run, args=(total // 2,)) for _ in range(2)]
for t in threads: t.start()
for t in threads: t.join()
if errors:
    sys.exit("train-aot-cache: %s" % errors[0])
print("train-aot-cache: %d reviews, %d allowed, %d denied" % (counts["allowed"] + counts["denied"],
      counts["allowed"], counts["denied"]), file=sys.stderr)
LOAD
cat "$work/load.log" >&2
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
