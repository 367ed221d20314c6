#!/usr/bin/env bash
# Fills the <generated> certificate fields of k8s/trustgate.yaml (the Secret trustgate-tls and the
# webhook's caBundle) with a fresh CA and a serving certificate for trustgate.trustgate.svc, made with
# openssl. Run it once before `kubectl apply -f k8s/`; it leaves a file that is already filled alone
# (FORCE=1 makes new ones). The CA's key is not kept: a new certificate means running it again.
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-k8s/trustgate.yaml}
ns=${NAMESPACE:-trustgate}
svc=trustgate

if ! grep -q '<generated>' "$file" && [ "${FORCE:-}" != 1 ]; then
  echo "$file already has certificates (FORCE=1 to make new ones)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -subj "/CN=trustgate-ca" -keyout "$tmp/ca.key" -out "$tmp/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=$svc.$ns.svc" -keyout "$tmp/tls.key" -out "$tmp/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:%s.%s,DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local\nextendedKeyUsage=serverAuth\n' \
  "$svc" "$svc" "$ns" "$svc" "$ns" "$svc" "$ns" > "$tmp/ext.cnf"
openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -days 3650 \
  -extfile "$tmp/ext.cnf" -out "$tmp/tls.crt" 2>/dev/null
b64() { base64 -w0 < "$1"; }
ca=$(b64 "$tmp/ca.crt"); crt=$(b64 "$tmp/tls.crt"); key=$(b64 "$tmp/tls.key")
sed -i -E \
  -e "s|^(\s+ca\.crt:) .*$|\1 $ca|" \
  -e "s|^(\s+tls\.crt:) .*$|\1 $crt|" \
  -e "s|^(\s+tls\.key:) .*$|\1 $key|" \
  -e "s|^(\s+caBundle:) .*$|\1 $ca|" "$file"
echo "$file: new CA and serving certificate for $svc.$ns.svc (do not commit them)"
