#!/usr/bin/env bash
# `make image`: builds trustgate's container image with Quarkus' Jib extension and writes it as a tar,
#   target/trustgate-image.tar   (docker-archive: `docker load`, `k3s ctr images import`, skopeo)
# No Docker is needed: Quarkus' Jib extension can only push to a registry or a Docker daemon, so it
# pushes to a throw-away docker-registry on loopback and skopeo copies the image from there into the tar.
# The image's JAVA_TOOL_OPTIONS are the chart's javaToolOptions (scripts/jvm-options.sh): the same JVM flags with
# or without the chart, and the chart's value (an environment variable too) replaces them rather than fighting
# them on the command line.
#
#   IMAGE_NAME (trustgate/trustgate), IMAGE_TAG (the project version),
#   BASE_IMAGE  another base for quarkus.jib.base-jvm-image (e.g. tar:///path/base.tar or a mirror).
#     Without it the base is built here by scripts/build-base-image.sh from JDK 25 (Temurin, when present; else
#     Debian's OpenJDK 17) once, into target/base-image (delete it to rebuild), pushed to the same throw-away
#     registry, and Jib builds on it: the ubi9 default of application.properties cannot be fetched where only
#     package mirrors answer.
#
# On a JDK 25 base the image also carries a JDK 25 AOT cache (JEP 483/514/515), /home/jboss/app.aot: the classes
# trustgate loads, already parsed and linked, and the method profiles of a training run (the start-up warm-up's GPG
# and Notary reviews, then 20,000 HTTPS reviews of the warm path: scripts/train-aot-cache.sh), so the JIT compiles
# the review path from the first seconds (docs/benchmarks.md, "Start-up with the AOT cache"). A cache is valid only for the JDK build and the very jar files (path, size, mtime) it was trained with,
# so it is trained here on the image itself: the image's layers are unpacked into a scratch directory and
# scripts/train-aot-cache.sh runs the image's own java on the image's own jars, with the image's JVM flags; the
# cache is added as one more layer and the entrypoint gets -XX:AOTCache (not JAVA_TOOL_OPTIONS, which the chart
# replaces). A JVM that cannot use the cache (other flags, e.g. another GC) says so in one warning and starts
# without it. The app is packaged as aot-jar (every class on the JDK's class path: the cache holds only classes of
# the JDK's own class loaders).
set -euo pipefail
cd "$(dirname "$0")/.."
name=${IMAGE_NAME:-trustgate/trustgate}
tag=${IMAGE_TAG:-$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)}
out=target/trustgate-image.tar
for tool in docker-registry skopeo; do
  command -v $tool >/dev/null || { echo "build-image: $tool is needed (make deps)" >&2; exit 2; }
done

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/config.yml" <<YAML
version: 0.1
storage: {filesystem: {rootdirectory: $work/data}}
http: {addr: 127.0.0.1:$port}
YAML
docker-registry serve "$work/config.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done

base=${BASE_IMAGE:-}
if [ -z "$base" ]; then
  [ -f target/base-image/index.json ] || scripts/build-base-image.sh target/base-image
  base_tag=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' target/base-image/index.json)
  skopeo copy --quiet --insecure-policy --dest-tls-verify=false \
    "oci:target/base-image:$base_tag" "docker://127.0.0.1:$port/trustgate/base-jre:$base_tag"
  base="127.0.0.1:$port/trustgate/base-jre:$base_tag"
fi

./mvnw -B -q package -DskipTests \
  -Dquarkus.container-image.build=true -Dquarkus.container-image.push=true \
  -Dquarkus.container-image.registry=127.0.0.1:$port -Dquarkus.container-image.insecure=true \
  -Dquarkus.container-image.group="${name%/*}" -Dquarkus.container-image.name="${name##*/}" \
  -Dquarkus.container-image.tag="$tag" \
  "-Dquarkus.jib.environment-variables.JAVA_TOOL_OPTIONS=$(scripts/jvm-options.sh)" \
  -Dquarkus.jib.base-jvm-image="$base" -Dquarkus.package.jar.type=aot-jar
oci="$work/oci"
skopeo copy --quiet --src-tls-verify=false "docker://127.0.0.1:$port/$name:$tag" "oci:$oci:$tag"
rm -f "$out"
# IMAGE_AOT_CACHE=0 leaves the cache out; exit 3 of image-aot-cache.sh: the base has no JDK 25, nothing to train.
if [ "${IMAGE_AOT_CACHE:-1}" = 1 ]; then
  rc=0
  scripts/image-aot-cache.sh "$oci" "$tag" || rc=$?
  [ $rc -eq 0 ] || [ $rc -eq 3 ] || exit $rc
fi
skopeo copy --quiet "oci:$oci:$tag" "docker-archive:$out:$name:$tag"
echo "$out ($name:$tag, $(du -h "$out" | cut -f1))"
