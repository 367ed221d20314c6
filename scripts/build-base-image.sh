#!/usr/bin/env bash
# Builds trustgate's base image from a JDK on this machine, without Docker and without any registry but the
# package mirror: a distroless-style image holding a Java runtime made with jlink (JDK 25: Temurin's, linked from
# its run-time image, JEP 493; JDK 17: Debian's openjdk-17-jdk-headless jmods), the shared libraries that runtime
# links against (glibc, libz, libstdc++, libgcc_s, taken from this machine with ldd), the Java CA store
# (ca-certificates-java), /etc/passwd and /etc/group with root and nonroot (65532), and /tmp. No shell, no
# package manager.
#
# Usage: build-base-image.sh OUT_DIR   writes an OCI image layout into OUT_DIR, tagged with the JDK's feature
#   version ("25" or "17"; push it with: skopeo copy oci:OUT_DIR:25 docker://host/trustgate/base-jre:25)
#   BASE_JDK  the JDK to link (default: /usr/lib/jvm/temurin-25-jdk-amd64 when present, else Debian's JDK 17).
#     JDK 25 is the image's runtime: scripts/build-image.sh trains a JDK 25 AOT cache for it (docs/benchmarks.md,
#     "Start-up and the first 10 s"); a JDK 17 base gives an image without one.
#
# Why not the Red Hat ubi9 openjdk-17-runtime that Quarkus' Jib extension defaults to: it cannot be
# fetched here (no registry but the package mirrors), and a base assembled from packages is rebuilt the
# same way on every machine. The layer is reproducible for the same packages (sorted entries, owner 0,
# mtime 0, gzip -n).
set -euo pipefail
out=${1:?usage: build-base-image.sh OUT_DIR}
jdk=${BASE_JDK:-}
if [ -z "$jdk" ]; then
  jdk=/usr/lib/jvm/java-17-openjdk-amd64
  [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/jlink ] && jdk=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[ -x "$jdk/bin/jlink" ] || {
  echo "build-base-image: $jdk/bin/jlink is needed (apt-get install openjdk-17-jdk-headless, or a JDK 25)" >&2
  exit 2
}
feature=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
runtime_dir=/usr/lib/jvm/jre-$feature
# With jmods (Debian's JDK 17): every module. Without (Temurin 25 links from its own run-time image, JEP 493):
# every module of the run-time image but jlink and jpackage (which needs jlink), which such a link cannot contain.
if [ -d "$jdk/jmods" ]; then
  link_modules=(--module-path "$jdk/jmods" --add-modules ALL-MODULE-PATH)
else
  link_modules=(--add-modules "$("$jdk/bin/java" --list-modules | sed 's/@.*//' | grep -vxE 'jdk.jlink|jdk.jpackage' | paste -sd,)")
fi
compress=--compress=zip-6
[ "$feature" -ge 21 ] || compress=--compress=2 # JDK 17's jlink knows only 0, 1, 2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/usr/lib/jvm" "$root/etc" "$root/tmp" "$root/home/nonroot" "$root/lib64"
chmod 1777 "$root/tmp"

# Every module of the JDK's runtime image (java.desktop included: java.beans is used by libraries),
# but no debug symbols, man pages or headers.
# The default CDS archive too (--generate-cds-archive): what the JVM maps at start when no AOT cache is given.
"$jdk/bin/jlink" "${link_modules[@]}" --generate-cds-archive \
  --strip-debug --no-man-pages --no-header-files "$compress" --output "$root$runtime_dir"
if [ -f /etc/ssl/certs/java/cacerts ]; then
  cp /etc/ssl/certs/java/cacerts "$root$runtime_dir/lib/security/cacerts"
fi

# The shared libraries of every ELF file in the runtime, and the dynamic loader.
libs=$(find "$root$runtime_dir" -type f \( -name '*.so' -o -perm -u+x \) -exec ldd {} \; 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u)
missing=$(find "$root$runtime_dir" -type f -name '*.so' -exec ldd {} \; 2>/dev/null \
  | awk '$2 == "=>" && $3 == "not" && $1 != "libjvm.so" {print $1}' | sort -u | tr '\n' ' ')
for lib in $libs /lib64/ld-linux-x86-64.so.2; do
  real=$(readlink -f "$lib")
  mkdir -p "$root$(dirname "$lib")"
  cp "$real" "$root$lib"
done
# glibc's NSS files module is built into libc.so.6 since 2.34; nsswitch.conf makes that explicit.
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
  > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
[ -f /etc/os-release ] && sed 's/^PRETTY_NAME=.*/PRETTY_NAME="trustgate base (OpenJDK $feature runtime)"/' \
  /etc/os-release > "$root/etc/os-release"

# The OCI layout: one gzip layer, a config with PATH and JAVA_HOME, a manifest tagged with the feature version.
blobs="$out/blobs/sha256"
rm -rf "$out"
mkdir -p "$blobs"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$root" -cf "$work/layer.tar" .
# Every entry is owned by root (nonroot's home too): trustgate runs with a read-only root filesystem and
# writes only to /tmp (an emptyDir in the chart).
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -6 < "$work/layer.tar" > "$work/layer.tar.gz"
layer=$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar.gz")
mv "$work/layer.tar.gz" "$blobs/$layer"
java_version=$("$root$runtime_dir/bin/java" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java.runtime.version = //p')
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"User":"65532:65532","WorkingDir":"/home/nonroot","Env":["PATH=$runtime_dir/bin:/usr/bin:/bin","JAVA_HOME=$runtime_dir","LANG=C.UTF-8"],"Labels":{"org.opencontainers.image.title":"trustgate base: OpenJDK $java_version runtime (jlink)","org.opencontainers.image.description":"built by scripts/build-base-image.sh"}},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created_by":"scripts/build-base-image.sh (jlink of $jdk, $java_version)"}]}
JSON
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
config_size=$(stat -c %s "$work/config.json")
mv "$work/config.json" "$blobs/$config"
cat > "$work/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer","size":$layer_size}]}
JSON
manifest=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$work/manifest.json")
mv "$work/manifest.json" "$blobs/$manifest"
echo '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
cat > "$out/index.json" <<JSON
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest","size":$manifest_size,"annotations":{"org.opencontainers.image.ref.name":"$feature"}}]}
JSON
[ -z "$missing" ] || echo "build-base-image: libraries not found on this machine (JDK parts that need them will not load): $missing" >&2
echo "$out (Java $java_version, layer $((layer_size / 1024 / 1024)) MiB compressed)" >&2
