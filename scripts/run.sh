#!/usr/bin/env bash
# `make run`: runs target/quarkus-app as the image runs it. With a JDK 25 (TRUSTGATE_JDK25, default
# /usr/lib/jvm/temurin-25-jdk-amd64) and an aot-jar build (the Makefile packages one when that JDK is there), it
# runs on JDK 25 with an AOT cache trained for these very jars by scripts/train-aot-cache.sh, as `make image`
# trains the image's. A cache is valid only for the files (size, mtime) and JDK it was trained with, and every
# build rewrites the jars, so the app is copied to target/aot-run/KEY/ (KEY: a hash of the jars' entries, the JDK
# and the JVM options) and trained there once; the next `make run` with the same content reuses it (training:
# ~20 s of CPU; Quarkus' generated classes may differ between two builds of the same source, and then it trains
# again). Without a JDK 25, or with a fast-jar build, it is `java $TRUSTGATE_JAVA_OPTS -jar` on the JDK
# on the PATH, as before.
#   TRUSTGATE_JAVA_OPTS  the JVM options (default: scripts/jvm-options.sh, the chart's javaToolOptions)
#   TRUSTGATE_AOT=0      never use a cache
set -euo pipefail
cd "$(dirname "$0")/.."
opts=${TRUSTGATE_JAVA_OPTS:-$(scripts/jvm-options.sh)}
app=target/quarkus-app
jdk25=${TRUSTGATE_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
main=$(unzip -p "$app/quarkus-run.jar" META-INF/MANIFEST.MF | tr -d '\r' | sed -n 's/^Main-Class: //p')
if [ "${TRUSTGATE_AOT:-1}" = 0 ] || [ ! -x "$jdk25/bin/java" ] || [ "$main" != io.quarkus.bootstrap.runner.AotQuarkusEntryPoint ]
then
  # shellcheck disable=SC2086
  exec java $opts -jar "$app/quarkus-run.jar"
fi
java="$jdk25/bin/java"
# As the image: with the AOT cache no in-process warm-up before readiness unless asked for (docs/benchmarks.md,
# "Start-up with the AOT cache: no warm-up"); on the JDK on the PATH above, TRUSTGATE_WARMUP's default (3s).
export TRUSTGATE_WARMUP=${TRUSTGATE_WARMUP:-0s}
# The app is run from its copy: paths the user gave relative to the repository become absolute.
for v in TRUSTGATE_TLS_CERT TRUSTGATE_TLS_KEY TRUSTGATE_POLICIES_DIR; do
  if [ -n "${!v:-}" ] && [ "${!v#/}" = "${!v}" ]; then export "$v=$PWD/${!v}"; fi
done
# The key: each jar's entries (size, CRC-32, name: not the entries' timestamps, which every build rewrites), every
# other file's hash, the JDK and the options.
content_key() {
  find . -type f -print0 | sort -z | while IFS= read -r -d '' f; do
    case "$f" in
      *.jar) echo "$f"; unzip -v "$f" | awk 'NF >= 8 && length($7) == 8 && $7 ~ /^[0-9a-f]+$/ { $5 = ""; $6 = ""; print }' ;;
      *) sha256sum "$f" ;;
    esac
  done
}
key=$( (cd "$app" && content_key; "$java" -version 2>&1; echo "$opts") | sha256sum | cut -c1-16)
run="target/aot-run/$key"
if [ ! -s "$run/app.aot" ]; then
  find target/aot-run -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} + 2>/dev/null || true
  rm -rf "$run"
  mkdir -p "$run"
  cp -a "$app" "$run/app"
  echo "run: training a JDK 25 AOT cache for this build ($run/app.aot; once per build content)" >&2
  # shellcheck disable=SC2086
  scripts/train-aot-cache.sh "$java" "$run/app" "$run/app.aot" $opts
fi
cd "$run/app"
# shellcheck disable=SC2086
exec "$java" $opts -XX:AOTCache=../app.aot -jar quarkus-run.jar
