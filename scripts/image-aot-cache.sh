#!/usr/bin/env bash
# Adds a JDK 25 AOT cache to trustgate's image (called by scripts/build-image.sh; see there why):
#   image-aot-cache.sh OCI_DIR TAG
# unpacks the image OCI_DIR:TAG into a scratch root, trains /home/jboss/app.aot with the image's own java on the
# image's own jars (scripts/train-aot-cache.sh, run from /home/jboss as the entrypoint runs), and rewrites the
# image in place: one more layer holding only that file (owner 0, mode 644, mtime 0), -XX:AOTCache=... in the
# entrypoint right after "java", and TRUSTGATE_WARMUP=0s in its environment (with the cache, the in-process warm-up
# before readiness costs more than it saves: docs/benchmarks.md, "Start-up with the AOT cache: no warm-up";
# a pod's env, e.g. the chart's extraEnv, still overrides it). Exit 3 when the image's runtime is not JDK 25 or
# later (nothing to do).
set -euo pipefail
cd "$(dirname "$0")/.."
oci=${1:?usage: image-aot-cache.sh OCI_DIR TAG}
tag=${2:?TAG}
cache_path=/home/jboss/app.aot

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
manifest=$(jq -r --arg t "$tag" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)
  | .digest' "$oci/index.json" | sed 's/^sha256://')
config=$(jq -r '.config.digest' "$oci/blobs/sha256/$manifest" | sed 's/^sha256://')
root="$work/root"
mkdir -p "$root"
for layer in $(jq -r '.layers[].digest' "$oci/blobs/sha256/$manifest" | sed 's/^sha256://'); do
  tar -xzf "$oci/blobs/sha256/$layer" -C "$root" --no-same-owner 2>/dev/null
done
java_home=$(jq -r '.config.Env[] | select(startswith("JAVA_HOME=")) | sub("^JAVA_HOME="; "")' \
  "$oci/blobs/sha256/$config")
java="$root$java_home/bin/java"
[ -x "$java" ] || { echo "image-aot-cache: no java at $java_home in the image" >&2; exit 2; }
feature=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "$feature" -lt 25 ]; then
  echo "image-aot-cache: the image runs Java $feature; an AOT cache needs JDK 25 (image left without one)" >&2
  exit 3
fi
workdir=$(jq -r '.config.WorkingDir' "$oci/blobs/sha256/$config")
[ "$workdir/app.aot" = "$cache_path" ] || { echo "image-aot-cache: working directory $workdir" >&2; exit 2; }
# The image's flags: JAVA_TOOL_OPTIONS (the chart's javaToolOptions) and the entrypoint's -D/-X options.
tool_opts=$(jq -r '.config.Env[] | select(startswith("JAVA_TOOL_OPTIONS=")) | sub("^JAVA_TOOL_OPTIONS="; "")' \
  "$oci/blobs/sha256/$config")
mapfile -t entry_opts < <(jq -r '.config.Entrypoint[1:][] | select(startswith("-D") or startswith("-X"))' \
  "$oci/blobs/sha256/$config")
# shellcheck disable=SC2086
scripts/train-aot-cache.sh "$java" "$root$workdir" "$work/app.aot" $tool_opts "${entry_opts[@]}"

# The layer: only the file (no directory entries: /home/jboss keeps the owner and mode Jib gave it).
mkdir -p "$work/layer${cache_path%/*}"
mv "$work/app.aot" "$work/layer$cache_path"
chmod 644 "$work/layer$cache_path"
tar --owner=0 --group=0 --numeric-owner --mtime=@0 --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$work/layer" --no-recursion -cf "$work/layer.tar" "${cache_path#/}"
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -6 < "$work/layer.tar" > "$work/layer.tar.gz"
layer=$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar.gz")
mv "$work/layer.tar.gz" "$oci/blobs/sha256/$layer"

jq -c --arg d "sha256:$diff_id" --arg c "$cache_path" '
  .rootfs.diff_ids += [$d]
  | .history += [{"created_by": "scripts/image-aot-cache.sh (JDK AOT cache, trained by scripts/train-aot-cache.sh)"}]
  | .config.Entrypoint = [.config.Entrypoint[0], ("-XX:AOTCache=" + $c)] + .config.Entrypoint[1:]
  | if any(.config.Env[]; startswith("TRUSTGATE_WARMUP=")) then . else .config.Env += ["TRUSTGATE_WARMUP=0s"] end' \
  "$oci/blobs/sha256/$config" > "$work/config.json"
new_config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$oci/blobs/sha256/$new_config"
jq -c --arg c "sha256:$new_config" --argjson cs "$(stat -c %s "$oci/blobs/sha256/$new_config")" \
  --arg l "sha256:$layer" --argjson ls "$layer_size" '
  .config.digest = $c | .config.size = $cs
  | .layers += [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": $l, "size": $ls}]' \
  "$oci/blobs/sha256/$manifest" > "$work/manifest.json"
new_manifest=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$work/manifest.json")
mv "$work/manifest.json" "$oci/blobs/sha256/$new_manifest"
jq -c --arg t "$tag" --arg m "sha256:$new_manifest" --argjson ms "$manifest_size" '
  .manifests |= map(if .annotations["org.opencontainers.image.ref.name"] == $t
    then .digest = $m | .size = $ms else . end)' "$oci/index.json" > "$work/index.json"
mv "$work/index.json" "$oci/index.json"
echo "image-aot-cache: $cache_path added ($((layer_size / 1024 / 1024)) MiB compressed)" >&2
