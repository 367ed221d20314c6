#!/usr/bin/env bash
# Makes a development CA and a serving certificate for localhost in dev-certs/ (kept when present).
set -euo pipefail
dir=${1:-dev-certs}
mkdir -p "$dir"
cd "$dir"
if [ -s tls.crt ] && [ -s tls.key ] && [ -s ca.crt ]; then
  exit 0
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
  -subj "/CN=trustgate development CA" -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=localhost" -keyout tls.key -out tls.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > ext.cnf
openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -extfile ext.cnf -out tls.crt 2>/dev/null
rm -f tls.csr ext.cnf ca.srl
echo "development certificate in $dir/ (CA: $dir/ca.crt)"
