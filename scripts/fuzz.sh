#!/usr/bin/env bash
# make fuzz: runs each Jazzer fuzz target of HostileInputFuzzTest for FUZZ_SECONDS (default 60), then merges
# the inputs that add coverage into the regression corpus that make test replays:
#   src/test/resources/io/trustgate/fuzz/HostileInputFuzzTestInputs/<target>/
# A crash is written into that same folder (crash-<sha1>), so it replays as a failing test until fixed.
# Jazzer 0.24.0 takes the fuzzing time only from @FuzzTest(maxDuration), so this runs Jazzer's command line
# (its JUnit mode, --target_class/--target_method) where libFuzzer's -max_total_time sets it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
CLASS=io.trustgate.fuzz.HostileInputFuzzTest
TARGETS=${FUZZ_TARGETS:-"imageReference imagePattern admissionReview tufMetadata canonicalJson openPgpSignature openPgpKeys simpleSigningPayload signaturePackage wwwAuthenticate coseEnvelope rfc3339Time"}
INPUTS=src/test/resources/io/trustgate/fuzz/HostileInputFuzzTestInputs
MVN="./mvnw -B -q"

$MVN test-compile
$MVN org.apache.maven.plugins:maven-dependency-plugin:3.7.0:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/fuzz-classpath.txt
CP="target/test-classes:target/classes:$(cat target/fuzz-classpath.txt)"
JAVA_OPTS=(-Xmx1g -XX:+UseSerialGC)
failed=0
summary=()
for t in $TARGETS; do
  work="target/fuzz-corpus/$t"
  mkdir -p "$work" "$INPUTS/$t"
  log="target/fuzz-$t.log"
  echo "== fuzzing $t for ${SECONDS_PER_TARGET}s (log: $log)"
  if ! java "${JAVA_OPTS[@]}" -cp "$CP" com.code_intelligence.jazzer.Jazzer --target_class="$CLASS" \
      --target_method="$t" \
      --instrumentation_includes='io.trustgate.**:com.fasterxml.jackson.**:org.bouncycastle.**' -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$INPUTS/$t/" "$work" > "$log" 2>&1; then
    echo "!! $t found a crash: see $log and $INPUTS/$t/crash-*"
    failed=1
  fi
  done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -1 || true)
  cov=$(grep -E '#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' || true)
  summary+=("$t: ${done_line:-no summary} ${cov}")
  # Only the inputs that add coverage to what the regression corpus already holds join it (libFuzzer's merge;
  # it restarts the JVM, about a minute per target here).
  java "${JAVA_OPTS[@]}" -cp "$CP" com.code_intelligence.jazzer.Jazzer --target_class="$CLASS" \
    --target_method="$t" --instrumentation_includes='io.trustgate.**:com.fasterxml.jackson.**:org.bouncycastle.**' \
    -merge=1 "$INPUTS/$t" "$work" > "target/fuzz-$t-merge.log" 2>&1 || true
done
echo "== fuzz summary (${SECONDS_PER_TARGET}s per target)"
printf '%s\n' "${summary[@]}"
exit $failed
