package io.trustgate.bench;

import io.trustgate.testing.Proc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs Debian's {@code wrk} with {@code scripts/bench/review.lua} (POST of one fixed AdmissionReview over
 * keep-alive HTTPS connections) and reads the line its {@code done()} prints.
 */
final class Wrk {

    private static final Pattern FIELD = Pattern.compile("(\\w+)=([0-9.]+)");

    /** One run: requests per second and client-side latencies in microseconds. */
    record Result(
            long requests,
            double seconds,
            long errors,
            long statusErrors,
            long p50,
            long p90,
            long p99,
            long p999,
            long max,
            double mean) {
        double rps() {
            return requests / seconds;
        }
    }

    private final Path script;
    private final int threads;
    private final int connections;

    Wrk(Path script, int threads, int connections) {
        this.script = script;
        this.threads = threads;
        this.connections = connections;
    }

    Result run(String url, Path body, Duration duration) {
        Proc.Result r = Proc.cmd(
                        "wrk",
                        "-t" + threads,
                        "-c" + connections,
                        "-d" + duration.toSeconds() + "s",
                        "--timeout",
                        "10s",
                        "-s",
                        script.toString(),
                        url)
                .env("BENCH_BODY", body.toString())
                .timeout(duration.plusSeconds(60))
                .run();
        String line = r.stdout()
                .lines()
                .filter(l -> l.startsWith("BENCH "))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("wrk printed no summary:\n" + r.stdout() + r.stderr()));
        Map<String, String> f = new HashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            f.put(m.group(1), m.group(2));
        }
        long errors = l(f, "connect") + l(f, "read") + l(f, "write") + l(f, "timeout");
        return new Result(
                l(f, "requests"),
                l(f, "duration_us") / 1e6,
                errors,
                l(f, "status"),
                l(f, "p50"),
                l(f, "p90"),
                l(f, "p99"),
                l(f, "p999"),
                l(f, "max"),
                Double.parseDouble(f.get("mean")));
    }

    private static long l(Map<String, String> f, String key) {
        return Long.parseLong(f.get(key));
    }
}
