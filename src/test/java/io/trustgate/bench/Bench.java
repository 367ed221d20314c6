package io.trustgate.bench;

import static io.trustgate.bench.BenchProcess.cpuSeconds;
import static io.trustgate.bench.BenchProcess.loadavg;
import static io.trustgate.bench.BenchProcess.procStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.bench.BenchProcess.RssSampler;
import io.trustgate.config.Setting;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.NotaryCli;
import io.trustgate.testing.NotaryPeer;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.Ports;
import io.trustgate.testing.Proc;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code make bench}: starts trustgate ({@code target/quarkus-app/quarkus-run.jar}, a real process) with real
 * peers on loopback (docker-registry, a lookaside store, gpg + skopeo, notary-server + the notary CLI) and
 * measures, in one run:
 *
 * <ol>
 *   <li>warm throughput and latency: wrk (Debian) with {@code scripts/bench/review.lua} POSTs a Pod review of three
 *       already-verified images over keep-alive HTTPS, to {@code /validate} and to {@code /mutate}; client-side
 *       p50/p99/p99.9 and the server-side histogram;</li>
 *   <li>the same load against {@link BaselineServer} (parse + answer allowed on Vert.x TLS), alternating rounds,
 *       so the figure that matters is trustgate's throughput as a ratio of the baseline's, per endpoint;</li>
 *   <li>cold latency: the first review of each of N new GPG-signed and N new Notary-signed images, per endpoint
 *       (each endpoint its own new images, the two taking turns), and as many signed with cosign 2.x, cosign 3
 *       (bundles) and Notation ({@link FormatsBench}; {@code BENCH_ONLY=formats} runs only those rows);</li>
 *   <li>coalescing: 200 concurrent reviews of one new image (GPG, Notary, then cosign 3 bundles), counting what the registry's access
 *       log, the lookaside store and notary-server's log saw;</li>
 *   <li>RSS (VmRSS under load, VmHWM) and the time from process start to the first 200 of /q/health/ready.</li>
 * </ol>
 *
 * It writes {@code docs/benchmarks.md}. Not a test: it asserts nothing but that the reviews it sends are allowed
 * and that {@code /mutate} answers them with the patch pinning each image to its verified digest (a benchmark of
 * denials or of a broken patch would measure the wrong path). Settings come from environment variables
 * ({@code BENCH_DURATION}, {@code BENCH_WARMUP}, {@code BENCH_ROUNDS}, {@code BENCH_CONNECTIONS},
 * {@code BENCH_THREADS}, {@code BENCH_COLD}, {@code BENCH_HERD}, {@code BENCH_JFR}, {@code BENCH_OUT};
 * {@code BENCH_EXTRA_JVM}: options added after the chart's, for trying a flag; the report names them).
 */
public final class Bench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEX64 = Pattern.compile("\\b([0-9a-f]{64})\\b");
    private static final Pattern NOTARY_REQUEST_ID = Pattern.compile("\"http\\.request\\.id\":\"([^\"]+)\"");
    private static final Pattern NOTARY_URI = Pattern.compile("(/v2/[^\\s\"]*/_trust/tuf/[^\\s\"]+)");

    private final Settings settings = Settings.fromEnv();
    private final Path repo = Path.of("").toAbsolutePath();
    private final Path work;
    private final List<AutoCloseable> closers = new ArrayList<>();
    private final Report report = new Report();

    private TestCa ca;
    private RegistryPeer registry;
    private GpgPeer gpg;
    private String signerFpr;
    private LookasidePeer lookaside;
    private NotaryPeer notary;
    private NotaryCli cli;
    private HttpClient http;
    /**
     * What users run (the chart's JVM options and limits; on JDK 25 with the image's trained AOT cache when this
     * machine has that JDK and the app is packaged as aot-jar: {@link JvmConfig#image}), and the JVM's defaults
     * beside it ({@code java -jar quarkus-run.jar} on the bench's own JVM).
     */
    private JvmConfig chartJvm;

    private final JvmConfig defaultJvm = JvmConfig.defaults();
    private PeerProcess trustgate;
    private int trustgatePort;
    /** trustgate with the JVM's default flags: warm load, ready time and memory beside the chart's. */
    private Started defaults;

    private PeerProcess baseline;
    private int baselinePort;
    private TestCa.Issued serving;

    private Bench() {
        work = PeerProcess.peerDir("bench").resolve("run-" + System.currentTimeMillis());
    }

    public static void main(String[] args) throws Exception {
        if (System.getenv("BENCH_NAGLE") == null) {
            // The lookaside peer is the JDK's HttpServer, which writes headers and body separately without
            // TCP_NODELAY: with Nagle and the client's delayed ACK a small GET can stall ~40 ms. Real web servers
            // set TCP_NODELAY; so does this one unless BENCH_NAGLE is set. Must be set before HttpServer loads.
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        Bench bench = new Bench();
        try {
            bench.run();
        } catch (Exception | Error e) {
            // A client library's non-daemon threads would keep a failed run alive: end it, with its cause.
            e.printStackTrace();
            bench.close();
            System.exit(1);
        } finally {
            bench.close();
        }
        System.exit(0);
    }

    /** Settings of one run. */
    record Settings(
            Duration duration,
            Duration warmup,
            int rounds,
            int connections,
            int threads,
            int cold,
            int herd,
            boolean jfr,
            Path out,
            int steady) {
        static Settings fromEnv() {
            return new Settings(
                    Duration.ofSeconds(env("BENCH_DURATION", 20)),
                    Duration.ofSeconds(env("BENCH_WARMUP", 10)),
                    env("BENCH_ROUNDS", 3),
                    env("BENCH_CONNECTIONS", 32),
                    env("BENCH_THREADS", 2),
                    env("BENCH_COLD", 30),
                    env("BENCH_HERD", 200),
                    env("BENCH_JFR", 0) == 1,
                    Path.of(System.getenv().getOrDefault("BENCH_OUT", "docs/benchmarks.md")),
                    env("BENCH_STEADY", 100));
        }

        private static int env(String name, int dflt) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
        }
    }

    /** The two admission endpoints: the same decision; /mutate adds the JSONPatch pinning the verified digests. */
    enum Endpoint {
        VALIDATE("/validate"),
        MUTATE("/mutate");

        private final String path;

        Endpoint(String path) {
            this.path = path;
        }

        String path() {
            return path;
        }
    }

    // ------------------------------------------------------------------------------------------- the run

    private void run() throws Exception {
        Files.createDirectories(work);
        report.started = Instant.now();
        report.settings = settings;
        chartJvm = JvmConfig.image(repo, repo.resolve("target/quarkus-app"), work);
        String extra = System.getenv().getOrDefault("BENCH_EXTRA_JVM", "").strip();
        if (!extra.isEmpty()) { // for experiments: the report then names the options it added to the chart's
            chartJvm = chartJvm.with(
                    "chart + BENCH_EXTRA_JVM",
                    chartJvm.description() + "; plus BENCH_EXTRA_JVM `" + extra + "`",
                    List.of(extra.split("\\s+")));
        }
        report.chartJvm = chartJvm;
        report.defaultJvm = defaultJvm;
        report.loadAtStart = loadavg();
        log("bench dir %s; settings %s; load %s", work, settings, report.loadAtStart);
        if ("recheck".equals(System.getenv("BENCH_ONLY"))) {
            // Only the background recheck's phase (its own peers and cluster); its section replaces the last one.
            RecheckBench.splice(repo.resolve(settings.out()), new RecheckBench(work, chartJvm).run());
            return;
        }
        if ("ab".equals(System.getenv("BENCH_ONLY"))) {
            abOnly();
            return;
        }
        report.bounds = BoundsBench.section(); // in-process, before any peer starts

        startPeers();
        if ("formats".equals(System.getenv("BENCH_ONLY"))) {
            formatsOnly();
            return;
        }
        Prepared prepared = prepare();
        writePolicies(prepared);
        FormatsBench formats = "cold".equals(System.getenv("BENCH_ONLY")) ? null : prepareFormats();
        // BENCH_ONLY=cold records with JFR.start after ready (coldOnly): -XX:StartFlightRecording at launch adds the
        // jdk.jfr module, which the AOT cache was not trained with, and the JVM then runs without the cache.
        Started chart =
                startTrustgate(chartJvm, "trustgate", settings.jfr() && !"cold".equals(System.getenv("BENCH_ONLY")));
        trustgate = chart.process();
        trustgatePort = chart.port();
        report.readySeconds = chart.readySeconds();
        report.rssIdleKiB = chart.rssIdleKiB();
        report.quarkusStartedLine = chart.startedLine();
        if ("cold".equals(System.getenv("BENCH_ONLY"))) {
            coldOnly(prepared);
            return;
        }
        defaults = startTrustgate(defaultJvm, "trustgate-defaults", false);
        report.defaults.readySeconds = defaults.readySeconds();
        report.defaults.rssIdleKiB = defaults.rssIdleKiB();
        startBaseline();

        warmLoad(prepared);
        report.cold.addAll(cold("GPG", prepared.coldGpg));
        report.cold.addAll(cold("Notary", prepared.coldNotary));
        report.cold.addAll(coldFormats(formats));
        report.herds.add(herdGpg(prepared.herdGpg));
        report.herds.add(herdNotary(prepared.herdNotary, prepared.herdNotaryGun));
        if (formats != null && formats.herdCosign3 != null) {
            report.herds.add(herdRegistryOnly(FormatsBench.COSIGN3, formats.herdCosign3));
        }

        report.quiet.addAll(quietRows(prepared, 0));
        report.hwmKiB = procStatus(trustgate.pid(), "VmHWM");
        report.rssEndKiB = procStatus(trustgate.pid(), "VmRSS");
        report.heapAfterGc = heapAfterFullGc(trustgate.pid());
        report.defaults.hwmKiB = procStatus(defaults.process().pid(), "VmHWM");
        report.defaults.heapAfterGc = heapAfterFullGc(defaults.process().pid());
        report.baselineHwmKiB = procStatus(baseline.pid(), "VmHWM");
        report.loadAtEnd = loadavg();
        report.finished = Instant.now();
        String md = report.markdown(machine());
        Path out = repo.resolve(settings.out());
        String kept = "\n";
        if (Files.exists(out)) {
            String old = Files.readString(out);
            int i = old.indexOf(LIMITS_MARKER);
            if (i >= 0) {
                kept = old.substring(i + LIMITS_MARKER.length() + 1);
            }
        }
        Files.writeString(out, md + kept);
        log("wrote %s", out);
        System.out.println(md);
        close(); // the recheck phase starts its own peers and trustgate; the ones above are done
        closers.clear();
        RecheckBench.splice(out, new RecheckBench(work, chartJvm).run());
    }

    /**
     * {@code BENCH_ONLY=cold}: only cold reviews, on a trustgate that has served nothing before, for profiling a
     * cold review (with {@code BENCH_JFR=1}). Per kind, the new images of both endpoints are reviewed one at a time
     * (no metrics scrape between them), and trustgate's CPU is read per thread ({@link ThreadCpu}) around each
     * review, so the JIT compilers' share shows apart from the review's own work. Writes {@code cold.md} in the
     * run's directory, never {@code BENCH_OUT}.
     */
    /** One row of {@code cold.md}: latency percentiles, CPU per review, and the thread groups of 1% or more of it. */
    private static void coldRow(StringBuilder md, String kind, String reviews, List<Double> ms, Map<String, Long> cpu) {
        long total = cpu.values().stream().mapToLong(Long::longValue).sum();
        String split = cpu.entrySet().stream()
                .filter(x -> x.getValue() * 100 >= total)
                .map(x -> String.format(Locale.ROOT, "%s %.1f ms", x.getKey(), x.getValue() / 1e6 / ms.size()))
                .collect(Collectors.joining(", "));
        md.append(String.format(
                Locale.ROOT,
                "| %s | %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %s |%n",
                kind,
                reviews,
                percentile(ms, 0.5),
                percentile(ms, 0.9),
                percentile(ms, 1.0),
                total / 1e6 / ms.size(),
                split));
    }

    private void coldOnly(Prepared p) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("load average before: ").append(loadavg()).append("\n\n");
        md.append(String.format(
                Locale.ROOT,
                "%s=%s; ready after %.2f s; process CPU before the first review %.2f s%n%n",
                Setting.WARMUP.env(),
                chartJvm.options().contains("-Dtrustgate.warmup=0s")
                        ? "0s (the image's)"
                        : System.getenv().getOrDefault(Setting.WARMUP.env(), Setting.WARMUP.defaultValue()),
                report.readySeconds,
                cpuSeconds(trustgate.pid())));
        Path jfr = work.resolve("trustgate-cold.jfr");
        if (settings.jfr()) {
            jcmd("JFR.start", "name=cold", "settings=" + System.getenv().getOrDefault("BENCH_JFR_SETTINGS", "profile"));
        }
        md.append(
                "| kind | reviews | p50 | p90 | max | CPU/review (all threads) | of which |\n|---|---|---|---|---|---|---|\n");
        for (String kind : List.of("GPG", "Notary")) {
            Map<Endpoint, List<PushedImage>> images = kind.equals("GPG") ? p.coldGpg : p.coldNotary;
            List<List<Double>> halves = List.of(new ArrayList<>(), new ArrayList<>());
            List<Map<String, Long>> cpu = List.of(new TreeMap<>(), new TreeMap<>());
            for (int i = 0; i < settings.cold(); i++) {
                int half = i < settings.cold() / 2 ? 0 : 1;
                for (Endpoint e : Endpoint.values()) {
                    PushedImage img = images.get(e).get(i);
                    String body = review("cold-" + img.path().replace('/', '-'), img.reference());
                    ThreadCpu.Sample before = ThreadCpu.sample(trustgate.pid());
                    long t0 = System.nanoTime();
                    Answer a = post(trustgatePort, e, body);
                    halves.get(half).add((System.nanoTime() - t0) / 1e6);
                    ThreadCpu.sample(trustgate.pid())
                            .minus(before)
                            .forEach((g, ns) -> cpu.get(half).merge(g, ns, Long::sum));
                    expect(e, a, List.of(img), "the cold " + kind + " review");
                }
            }
            for (int half = 0; half < 2; half++) {
                List<Double> ms = halves.get(half);
                coldRow(md, kind, (half == 0 ? "first" : "second") + " half, n=" + ms.size(), ms, cpu.get(half));
            }
        }
        // Cold reviews on a replica that has run a while: BENCH_STEADY more new images per kind first (unmeasured).
        int before = 2 * Endpoint.values().length * settings.cold();
        for (QuietRow row : quietRows(p, settings.steady())) {
            before += settings.steady();
            coldRow(
                    md,
                    row.kind(),
                    String.format(
                            Locale.ROOT,
                            "steady: after %d earlier new images and %s, n=%d",
                            before,
                            row.quiet(),
                            row.millis().size()),
                    row.millis(),
                    row.cpu());
            before += row.millis().size();
        }
        if (settings.jfr()) {
            jcmd("JFR.stop", "name=cold", "filename=" + jfr);
            md.append("\nJFR of the cold reviews only (started after ready, AOT cache in use): ")
                    .append(jfr)
                    .append('\n');
        }
        md.append("\nload average after: ").append(loadavg()).append('\n');
        Files.writeString(work.resolve("cold.md"), md);
        System.out.println(md);
    }

    /** The cold reviews of one kind on a replica whose JIT had gone quiet: latency, and CPU per thread group. */
    record QuietRow(String kind, QuietJit quiet, List<Double> millis, Map<String, Long> cpu) {
        double cpuMs() {
            return cpu.values().stream().mapToLong(Long::longValue).sum() / 1e6 / millis.size();
        }

        double ownMs() {
            return cpuMs() - compilerNanos(cpu) / 1e6 / millis.size();
        }
    }

    /**
     * Cold reviews on a replica that has run a while, per kind, on {@code /validate}: the first {@code unmeasured}
     * of {@link Prepared#steadyGpg}/{@link Prepared#steadyNotary} reviewed unmeasured, then a wait until the JIT
     * compilers have gone quiet (after the first few hundred new images their queue is long, and while it drains
     * they run beside every review), then the rest reviewed one at a time with trustgate's CPU read per thread.
     */
    private List<QuietRow> quietRows(Prepared p, int unmeasured) throws Exception {
        List<QuietRow> rows = new ArrayList<>();
        for (String kind : List.of("GPG", "Notary")) {
            List<PushedImage> images = kind.equals("GPG") ? p.steadyGpg : p.steadyNotary;
            List<Double> ms = new ArrayList<>();
            Map<String, Long> cpu = new TreeMap<>();
            QuietJit quiet = null;
            for (int i = 0; i < images.size(); i++) {
                PushedImage img = images.get(i);
                String body = review("steady-" + img.path().replace('/', '-'), img.reference());
                boolean measured = i >= unmeasured;
                if (measured && quiet == null) {
                    quiet = waitForQuietJit(trustgate.pid());
                }
                ThreadCpu.Sample cpuBefore = measured ? ThreadCpu.sample(trustgate.pid()) : null;
                long t0 = System.nanoTime();
                Answer a = post(trustgatePort, Endpoint.VALIDATE, body);
                if (measured) {
                    ms.add((System.nanoTime() - t0) / 1e6);
                    ThreadCpu.sample(trustgate.pid()).minus(cpuBefore).forEach((g, ns) -> cpu.merge(g, ns, Long::sum));
                }
                expect(Endpoint.VALIDATE, a, List.of(img), "the steady-state cold " + kind + " review");
            }
            if (!ms.isEmpty()) {
                rows.add(new QuietRow(kind, quiet, ms, cpu));
            }
        }
        return rows;
    }

    /** How long {@link #waitForQuietJit} waited, and the compilers' CPU meanwhile. */
    record QuietJit(double seconds, double compilerSeconds, boolean quiet) {
        @Override
        public String toString() {
            return String.format(
                            Locale.ROOT,
                            "%s %.1f s for the JIT to go quiet (%.1f s of compiler CPU meanwhile)",
                            quiet ? "" : "(not quiet) ",
                            seconds,
                            compilerSeconds)
                    .strip();
        }
    }

    /**
     * Waits, idle, until the JIT compiler threads used under 5% of a CPU over the last second (at most 120 s): a
     * replica that has run a while, whose compile queue is empty, rather than one still compiling what it met first.
     */
    private static QuietJit waitForQuietJit(long pid) throws InterruptedException {
        long start = System.nanoTime();
        ThreadCpu.Sample first = ThreadCpu.sample(pid);
        ThreadCpu.Sample last = first;
        while (System.nanoTime() - start < 120_000_000_000L) {
            Thread.sleep(1000);
            ThreadCpu.Sample now = ThreadCpu.sample(pid);
            long jit = compilerNanos(now.minus(last));
            last = now;
            if (jit < 50_000_000L) {
                return new QuietJit((System.nanoTime() - start) / 1e9, compilerNanos(now.minus(first)) / 1e9, true);
            }
        }
        return new QuietJit((System.nanoTime() - start) / 1e9, compilerNanos(last.minus(first)) / 1e9, false);
    }

    private static long compilerNanos(Map<String, Long> byGroup) {
        return byGroup.getOrDefault("JIT C1", 0L) + byGroup.getOrDefault("JIT C2", 0L);
    }

    /** Runs {@code jcmd <trustgate pid> <command> <args...>} of the JDK trustgate runs on; fails on a non-zero exit. */
    private void jcmd(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(chartJvm.java()).resolveSibling("jcmd").toString(), String.valueOf(trustgate.pid())));
        cmd.addAll(List.of(command));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!proc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || proc.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        log("%s: %s", String.join(" ", command), out.strip());
    }

    // ------------------------------------------------------------------------------------------- cosign, Notation

    /** cosign 2.x, cosign 3 and Notation images, signed with the real tools, and their policies; before trustgate. */
    private FormatsBench prepareFormats() throws Exception {
        FormatsBench formats = new FormatsBench(registry, work.resolve("formats"));
        formats.prepare(settings.cold());
        formats.writePolicies(Files.createDirectories(work.resolve("policies")));
        log(
                "prepared %d cosign 2, cosign 3 and Notation images each in %.0f s",
                Endpoint.values().length * settings.cold(), formats.prepareSeconds);
        return formats;
    }

    /** The cold rows of every registry-borne format, measured as GPG's and Notary's are ({@link #cold}). */
    private List<ColdResult> coldFormats(FormatsBench formats) throws Exception {
        List<ColdResult> rows = new ArrayList<>();
        for (Map.Entry<String, Map<Endpoint, List<PushedImage>>> kind : formats.images.entrySet()) {
            rows.addAll(cold(kind.getKey(), kind.getValue()));
        }
        return rows;
    }

    /**
     * {@code BENCH_ONLY=formats}: only the cold rows of cosign 2.x, cosign 3 and Notation, on a trustgate that has
     * served nothing else (no GPG or Notary images prepared). Writes {@code formats.md} in the run's directory, never
     * {@code BENCH_OUT}.
     */
    private void formatsOnly() throws Exception {
        FormatsBench formats = prepareFormats();
        Started chart = startTrustgate(chartJvm, "trustgate", settings.jfr());
        trustgate = chart.process();
        trustgatePort = chart.port();
        String loadBefore = loadavg();
        List<ColdResult> rows = coldFormats(formats);
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "prepared (pushed and signed) in %.0f s; trustgate ready after %.2f s; load average before: %s%n%n",
                formats.prepareSeconds,
                chart.readySeconds(),
                loadBefore));
        md.append("| signature kind | endpoint | n | p50 | p90 | max | server-side mean | trustgate CPU/review |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (ColdResult c : rows) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | `%s` | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms |%n",
                    c.kind(),
                    c.endpoint().path(),
                    c.millis().size(),
                    c.p(0.5),
                    c.p(0.9),
                    Collections.max(c.millis()),
                    c.server().meanSeconds() * 1000,
                    c.cpuMs()));
        }
        md.append("\nload average after: ").append(loadavg()).append('\n');
        Files.writeString(work.resolve("formats.md"), md);
        System.out.println(md);
    }

    /**
     * {@code BENCH_ONLY=ab}: the warm {@code /validate} load alone, against several builds of trustgate side by side
     * ({@code BENCH_AB_JARS=label=path/to/quarkus-run.jar,label=...}), all with the chart's JVM flags and the same
     * policies, peers and images. Each build gets the same wrk warm-up; then each round loads one build at a time,
     * in the order given, reversed every other round, so that a drift in the machine's load favours none. Per round:
     * reviews/s, client p99, CPU per review (/proc/PID/stat) and the highest VmRSS sampled under the load, with the
     * load average. Writes {@code ab.md} in the run's directory, never {@code BENCH_OUT}.
     */
    private void abOnly() throws Exception {
        Map<String, Path> jars = new LinkedHashMap<>();
        for (String entry : System.getenv().getOrDefault("BENCH_AB_JARS", "").split(",", -1)) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || !Files.isRegularFile(Path.of(entry.substring(eq + 1)))) {
                throw new IllegalArgumentException("BENCH_AB_JARS: want label=path/to/quarkus-run.jar, got " + entry);
            }
            jars.put(entry.substring(0, eq), Path.of(entry.substring(eq + 1)).toAbsolutePath());
        }
        startPeers();
        Prepared prepared = prepare();
        writePolicies(prepared);
        String[] refs = prepared.warm.stream().map(PushedImage::reference).toArray(String[]::new);
        String review = review("warm-review", refs);
        Path body = work.resolve("warm-review.json");
        Files.writeString(body, review);
        Map<String, Started> servers = new LinkedHashMap<>();
        for (Map.Entry<String, Path> jar : jars.entrySet()) {
            Started s = startTrustgate(chartJvm, "ab-" + jar.getKey(), settings.jfr(), jar.getValue());
            servers.put(jar.getKey(), s);
            expect(Endpoint.VALIDATE, post(s.port(), Endpoint.VALIDATE, review), prepared.warm, "the warm review");
        }
        Wrk wrk = new Wrk(repo.resolve("scripts/bench/review.lua"), settings.threads(), settings.connections());
        for (Started s : servers.values()) {
            wrk.run(url(s.port(), Endpoint.VALIDATE), body, settings.warmup());
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "wrk %d threads, %d connections, %d s rounds after a %d s warm-up each; JVM %s%n%n",
                settings.threads(),
                settings.connections(),
                settings.duration().toSeconds(),
                settings.warmup().toSeconds(),
                chartJvm));
        md.append("| round | build | reviews/s | p99 | CPU/review | VmRSS max under load | errors | load average |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        Map<String, List<Double>> rps = new LinkedHashMap<>();
        Map<String, List<Double>> cpuUs = new LinkedHashMap<>();
        Map<String, List<Double>> rssMiB = new LinkedHashMap<>();
        Map<String, List<Double>> p99 = new LinkedHashMap<>();
        for (int round = 1; round <= settings.rounds(); round++) {
            List<String> order = new ArrayList<>(servers.keySet());
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            for (String label : order) {
                Started s = servers.get(label);
                long pid = s.process().pid();
                RssSampler rss = new RssSampler(pid, "ab-rss");
                double cpu0 = cpuSeconds(pid);
                Wrk.Result r = wrk.run(url(s.port(), Endpoint.VALIDATE), body, settings.duration());
                double us = (cpuSeconds(pid) - cpu0) * 1e6 / r.requests();
                double mib = rss.stop() / 1024.0;
                String load = loadavg();
                rps.computeIfAbsent(label, k -> new ArrayList<>()).add(r.rps());
                cpuUs.computeIfAbsent(label, k -> new ArrayList<>()).add(us);
                rssMiB.computeIfAbsent(label, k -> new ArrayList<>()).add(mib);
                p99.computeIfAbsent(label, k -> new ArrayList<>()).add(r.p99() / 1000.0);
                md.append(String.format(
                        Locale.ROOT,
                        "| %d | %s | %.0f | %.2f ms | %.1f µs | %.0f MiB | %d | %s |%n",
                        round,
                        label,
                        r.rps(),
                        r.p99() / 1000.0,
                        us,
                        mib,
                        r.errors() + r.statusErrors(),
                        load));
                log("round %d %s: %.0f/s, %.1f µs CPU/review, %.0f MiB, load %s", round, label, r.rps(), us, mib, load);
            }
        }
        md.append(
                "\n| build | median reviews/s | median p99 | median CPU/review | median VmRSS max | min-max reviews/s |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (String label : servers.keySet()) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %.2f ms | %.1f µs | %.0f MiB | %.0f-%.0f |%n",
                    label,
                    median(rps.get(label)),
                    median(p99.get(label)),
                    median(cpuUs.get(label)),
                    median(rssMiB.get(label)),
                    Collections.min(rps.get(label)),
                    Collections.max(rps.get(label))));
        }
        Files.writeString(work.resolve("ab.md"), md);
        System.out.println(md);
    }

    // ------------------------------------------------------------------------------------------- peers

    private void startPeers() {
        ca = TestCa.create(work.resolve("ca"));
        serving = ca.issueServer("trustgate");
        registry = RegistryPeer.builder("bench-registry").start();
        closers.add(registry);
        gpg = GpgPeer.create();
        closers.add(gpg);
        signerFpr = gpg.generateKey("Bench Signer", "bench@example.test");
        lookaside = LookasidePeer.serve("bench-lookaside", work.resolve("lookaside"));
        closers.add(lookaside);
        notary = NotaryPeer.start("bench-notary", ca);
        closers.add(notary);
        cli = notary.cli(work.resolve("notary-trust"));
        http = client(HttpClient.Version.HTTP_1_1);
        log("peers: registry %s, lookaside %s, notary %s", registry.host(), lookaside.baseUrl(), notary.url());
    }

    /** The images of the run: everything is pushed and signed before trustgate starts. */
    private static final class Prepared {
        final List<PushedImage> warm = new ArrayList<>();
        /** New images for each endpoint's cold reviews, so that neither finds the other's in the caches. */
        final Map<Endpoint, List<PushedImage>> coldGpg = new EnumMap<>(Endpoint.class);

        final Map<Endpoint, List<PushedImage>> coldNotary = new EnumMap<>(Endpoint.class);
        /**
         * Cold reviews on a replica that has run a while ({@link #quietRows}): {@code BENCH_ONLY=cold}, per kind,
         * {@code BENCH_STEADY} new images reviewed unmeasured, then {@code BENCH_COLD} more measured; the full bench,
         * {@code BENCH_COLD} measured after everything else.
         */
        final List<PushedImage> steadyGpg = new ArrayList<>();

        final List<PushedImage> steadyNotary = new ArrayList<>();
        PushedImage herdGpg;
        PushedImage herdNotary;
        String herdNotaryGun;
        final List<String> targetsKeyIds = new ArrayList<>();
    }

    private Prepared prepare() throws Exception {
        Prepared p = new Prepared();
        String only = System.getenv("BENCH_ONLY");
        // BENCH_ONLY=cold: BENCH_STEADY unmeasured and BENCH_COLD measured; the full bench: BENCH_COLD measured
        // (section (c), "on a replica whose JIT has gone quiet"); the other modes review none.
        int steadyImages =
                "cold".equals(only) ? settings.steady() + settings.cold() : only == null ? settings.cold() : 0;
        long t0 = System.nanoTime();
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<?> gpgSide = two.submit(() -> {
                for (int i = 1; i <= 3; i++) {
                    p.warm.add(pushSigned("bench/warm/app-" + i));
                }
                for (Endpoint e : Endpoint.values()) {
                    List<PushedImage> images = new ArrayList<>();
                    for (int i = 1; i <= settings.cold(); i++) {
                        images.add(pushSigned("bench/cold-gpg" + e.path() + "/app-" + i));
                    }
                    p.coldGpg.put(e, images);
                }
                p.herdGpg = pushSigned("bench/herd-gpg/app");
                for (int i = 1; i <= steadyImages; i++) {
                    p.steadyGpg.add(pushSigned("bench/cold-gpg/steady/app-" + i));
                }
                return null;
            });
            Future<?> notarySide = two.submit(() -> {
                for (Endpoint e : Endpoint.values()) {
                    List<PushedImage> images = new ArrayList<>();
                    for (int i = 1; i <= settings.cold(); i++) {
                        images.add(pushNotary("bench/cold-notary" + e.path() + "/app-" + i, p.targetsKeyIds));
                    }
                    p.coldNotary.put(e, images);
                }
                p.herdNotary = pushNotary("bench/herd-notary/app", p.targetsKeyIds);
                p.herdNotaryGun = registry.host() + "/bench/herd-notary/app";
                long s0 = System.nanoTime();
                for (int i = 1; i <= steadyImages; i++) {
                    p.steadyNotary.add(pushNotary("bench/cold-notary/steady/app-" + i, p.targetsKeyIds));
                }
                if (steadyImages > 0) {
                    log("published %d more Notary GUNs in %.0f s", steadyImages, (System.nanoTime() - s0) / 1e9);
                }
                return null;
            });
            gpgSide.get();
            notarySide.get();
        } finally {
            two.shutdownNow();
        }
        report.prepareSeconds = (System.nanoTime() - t0) / 1e9;
        int cold = Endpoint.values().length * settings.cold();
        log(
                "prepared %d GPG and %d Notary images in %.0f s",
                p.warm.size() + cold + 1, cold + 1, report.prepareSeconds);
        return p;
    }

    private PushedImage pushSigned(String path) {
        PushedImage img = ImageFactory.pushRandom(registry, path, "1.0");
        gpg.signImage(signerFpr, img.reference(), lookaside.root());
        return img;
    }

    /** A new GUN: push, {@code notary init} (the trust directory's one root key is reused), addhash, publish. */
    private PushedImage pushNotary(String path, List<String> targetsKeyIds) {
        PushedImage img = ImageFactory.pushRandom(registry, path, "1.0");
        String gun = registry.host() + "/" + path;
        cli.init(gun);
        cli.addhash(gun, "1.0", img.manifest().length, img.hex());
        cli.publish(gun);
        try {
            JsonNode root = JSON.readTree(cli.trustDir()
                    .resolve("tuf")
                    .resolve(gun)
                    .resolve("metadata/root.json")
                    .toFile());
            root.at("/signed/roles/targets/keyids").forEach(id -> targetsKeyIds.add(id.asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return img;
    }

    private void writePolicies(Prepared p) throws IOException {
        Path dir = Files.createDirectories(work.resolve("policies"));
        ObjectNode gpgPolicy = policy("bench-gpg", List.of("bench/warm/**", "bench/cold-gpg/**", "bench/herd-gpg/**"));
        ((ObjectNode) gpgPolicy.get("spec")).put("lookaside", lookaside.baseUrl());
        ArrayNode gpgKeys = ((ObjectNode) gpgPolicy.get("spec"))
                .putArray("signers")
                .addObject()
                .put("name", "bench-gpg")
                .putArray("keys");
        gpgKeys.add(gpg.exportPublic(signerFpr));
        Files.writeString(dir.resolve("bench-gpg.json"), JSON.writeValueAsString(gpgPolicy));

        List<String> roots = new ArrayList<>();
        Matcher m = HEX64.matcher(cli.keyList()
                .stdout()
                .lines()
                .filter(l -> l.strip().startsWith("root"))
                .reduce("", (a, b) -> a + "\n" + b));
        while (m.find()) {
            roots.add(m.group(1));
        }
        report.notaryRootKeys = roots.size();
        ObjectNode notaryPolicy = policy("bench-notary", List.of("bench/cold-notary/**", "bench/herd-notary/**"));
        ObjectNode notarySpec = ((ObjectNode) notaryPolicy.get("spec")).putObject("notary");
        notarySpec.put("server", notary.url());
        notarySpec.put("caBundle", Files.readString(notary.caPem()));
        ArrayNode rootKeys = notarySpec.putArray("rootKeys");
        roots.forEach(rootKeys::add);
        ArrayNode owners = ((ObjectNode) notaryPolicy.get("spec"))
                .putArray("signers")
                .addObject()
                .put("name", "bench-owner")
                .putArray("keys");
        p.targetsKeyIds.forEach(owners::add);
        Files.writeString(dir.resolve("bench-notary.json"), JSON.writeValueAsString(notaryPolicy));
    }

    private ObjectNode policy(String name, List<String> paths) {
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", "ClusterTrustPolicy");
        p.putObject("metadata").put("name", name);
        ObjectNode spec = p.putObject("spec");
        spec.put("mode", "Enforce");
        ArrayNode images = spec.putArray("images");
        paths.forEach(path -> images.add(registry.host() + "/" + path));
        spec.put("minSignatures", 1);
        return p;
    }

    /** A started trustgate: its process, port, time to ready, VmRSS right after and Quarkus' started line. */
    private record Started(PeerProcess process, int port, double readySeconds, long rssIdleKiB, String startedLine) {}

    private Started startTrustgate(JvmConfig jvm, String name, boolean jfr) throws Exception {
        return startTrustgate(jvm, name, jfr, repo.resolve("target/quarkus-app/quarkus-run.jar"));
    }

    private Started startTrustgate(JvmConfig jvm, String name, boolean jfr, Path jar) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: run ./mvnw package -DskipTests first (make bench does)");
        }
        // Warm the harness' own TLS client first, so the readiness poll does not time the client's class loading.
        notary.get("/_notary_server/health");
        http.send(
                HttpRequest.newBuilder(URI.create(notary.url() + "/_notary_server/health"))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        List<String> cmd = new ArrayList<>(List.of(jvm.java()));
        if (jfr) {
            cmd.addAll(List.of(
                    "-XX:+FlightRecorder",
                    "-XX:StartFlightRecording=filename=" + work.resolve(name + ".jfr")
                            + ",settings=" + System.getenv().getOrDefault("BENCH_JFR_SETTINGS", "profile")
                            + ",dumponexit=true"));
        }
        cmd.addAll(jvm.options());
        // from the app directory, as the image (and the AOT cache's training) runs `java -jar quarkus-run.jar`
        cmd.addAll(List.of("-jar", "quarkus-run.jar"));
        // The webhook's own configuration (the one table of settings), every other value at its default: checked
        // here by the same parser before the process starts, and written into the report.
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Setting.TLS_CERT.env(), serving.certPem().toString());
        env.put(Setting.TLS_KEY.env(), serving.keyPem().toString());
        env.put(Setting.POLICIES_DIR.env(), work.resolve("policies").toString());
        env.put(Setting.INSECURE_REGISTRIES.env(), registry.host());
        report.trustgateSettings = TrustgateSettings.fromEnvironment(env);
        BenchProcess.Launched launched = BenchProcess.start(
                "bench-" + name, name, cmd, env, jar.getParent(), work, port -> status(port, "/q/health/ready") == 200);
        PeerProcess process = launched.process();
        int port = launched.port();
        double ready = launched.readySeconds();
        closers.add(0, process);
        String startedLine = Files.readAllLines(process.log()).stream()
                .filter(l -> l.contains("started in"))
                .findFirst()
                .orElse("");
        log("%s (pid %d, %s) ready on %d after %.2f s; %s", name, process.pid(), jvm, port, ready, startedLine);
        return new Started(process, port, ready, procStatus(process.pid(), "VmRSS"), startedLine);
    }

    private void startBaseline() {
        baselinePort = Ports.free();
        List<String> baselineCmd = new ArrayList<>(List.of(chartJvm.java()));
        // the same JVM settings as trustgate, for a fair ratio (not its AOT cache: trained for trustgate's jars)
        baselineCmd.addAll(chartJvm.without("baseline", "", "-XX:AOTCache=").options());
        baselineCmd.addAll(List.of(
                "-cp",
                absoluteClassPath(),
                BaselineServer.class.getName(),
                String.valueOf(baselinePort),
                serving.certPem().toString(),
                serving.keyPem().toString()));
        baseline = PeerProcess.start(
                "bench-baseline", baselineCmd, Map.of(), work, work.resolve("baseline-" + baselinePort + ".log"));
        closers.add(0, baseline);
        baseline.awaitReady(Duration.ofSeconds(30), () -> {
            try {
                return Files.readString(baseline.log()).contains("listening");
            } catch (IOException e) {
                return false;
            }
        });
        log("baseline (pid %d) on %d", baseline.pid(), baselinePort);
    }

    // ------------------------------------------------------------------------------------------- (a) + (b) warm load

    private void warmLoad(Prepared p) throws Exception {
        String[] refs = p.warm.stream().map(PushedImage::reference).toArray(String[]::new);
        Path body = work.resolve("warm-review.json");
        String review = review("warm-review", refs);
        Files.writeString(body, review);
        for (Endpoint e : Endpoint.values()) {
            expect(e, post(trustgatePort, e, review), p.warm, "the warm review");
            expect(e, post(defaults.port(), e, review), p.warm, "the warm review (default JVM flags)");
            Answer viaBaseline = post(baselinePort, e, review);
            if (!viaBaseline.allowed() || viaBaseline.patch() != null) {
                throw new IllegalStateException(
                        "the baseline does not answer " + e.path() + " allowed without a patch");
            }
            report.warm.put(e, new WarmFigures());
        }
        Wrk wrk = new Wrk(repo.resolve("scripts/bench/review.lua"), settings.threads(), settings.connections());
        log("warm-up: %s each", settings.warmup());
        for (Endpoint e : Endpoint.values()) {
            wrk.run(url(trustgatePort, e), body, settings.warmup());
            wrk.run(url(defaults.port(), e), body, settings.warmup());
            wrk.run(url(baselinePort, e), body, settings.warmup());
        }
        report.loadBeforeWarm = loadavg();
        for (int round = 1; round <= settings.rounds(); round++) {
            // Every other round runs the legs in reverse order, so a drift in the machine's load favours neither
            // side nor endpoint: trustgate (chart flags, default flags) and the baseline alternate within each
            // endpoint, and so do the endpoints.
            List<Leg> legs = new ArrayList<>();
            for (Endpoint e : Endpoint.values()) {
                for (Side side : Side.values()) {
                    legs.add(new Leg(e, side));
                }
            }
            if (round % 2 == 0) {
                Collections.reverse(legs);
            }
            for (Leg leg : legs) {
                measure(wrk, body, leg);
            }
            for (Endpoint e : Endpoint.values()) {
                Wrk.Result tg = report.warm.get(e).trustgate.get(round - 1);
                Wrk.Result bl = report.warm.get(e).baseline.get(round - 1);
                Wrk.Result df = report.warm.get(e).defaults.get(round - 1);
                log(
                        "round %d %s: trustgate %.0f/s (p99 %.2f ms), with default flags %.0f/s, baseline %.0f/s (p99"
                                + " %.2f ms), ratio %.2f",
                        round,
                        e.path(),
                        tg.rps(),
                        tg.p99() / 1000.0,
                        df.rps(),
                        bl.rps(),
                        bl.p99() / 1000.0,
                        tg.rps() / bl.rps());
            }
        }
        report.loadAfterWarm = loadavg();
    }

    /** What a warm round loads: trustgate with the chart's JVM flags, with the JVM's defaults, or the baseline. */
    enum Side {
        TRUSTGATE,
        DEFAULTS,
        BASELINE
    }

    /** One measured wrk run: an endpoint of one side. */
    private record Leg(Endpoint endpoint, Side side) {}

    private void measure(Wrk wrk, Path body, Leg leg) throws Exception {
        WarmFigures figures = report.warm.get(leg.endpoint());
        if (leg.side() == Side.DEFAULTS) {
            long pid = defaults.process().pid();
            RssSampler rss = new RssSampler(pid, "bench-rss");
            double cpu0 = cpuSeconds(pid);
            Wrk.Result r = wrk.run(url(defaults.port(), leg.endpoint()), body, settings.duration());
            figures.defaultsCpuUs.add((cpuSeconds(pid) - cpu0) * 1e6 / r.requests());
            report.defaults.rssUnderLoadKiB = Math.max(report.defaults.rssUnderLoadKiB, rss.stop());
            figures.defaults.add(r);
        } else if (leg.side() == Side.TRUSTGATE) {
            ServerHistogram before = scrape();
            RssSampler rss = new RssSampler(trustgate.pid(), "bench-rss");
            double cpu0 = cpuSeconds(trustgate.pid());
            Wrk.Result r = wrk.run(url(trustgatePort, leg.endpoint()), body, settings.duration());
            figures.trustgateCpuUs.add((cpuSeconds(trustgate.pid()) - cpu0) * 1e6 / r.requests());
            long max = rss.stop();
            if (max > report.rssUnderLoadKiB) {
                report.rssUnderLoadKiB = max;
                report.rssAnonUnderLoadKiB = rss.anonAtMax();
                report.rssFileUnderLoadKiB = rss.fileAtMax();
            }
            figures.serverRounds.add(scrape().minus(before));
            figures.trustgate.add(r);
        } else {
            double cpu0 = cpuSeconds(baseline.pid());
            Wrk.Result r = wrk.run(url(baselinePort, leg.endpoint()), body, settings.duration());
            figures.baselineCpuUs.add((cpuSeconds(baseline.pid()) - cpu0) * 1e6 / r.requests());
            figures.baseline.add(r);
        }
    }

    /** The warm figures of one endpoint, one entry per round in each list. */
    static final class WarmFigures {
        final List<Wrk.Result> trustgate = new ArrayList<>();
        final List<Wrk.Result> baseline = new ArrayList<>();
        /** trustgate with the JVM's default flags. */
        final List<Wrk.Result> defaults = new ArrayList<>();

        final List<Double> defaultsCpuUs = new ArrayList<>();
        final List<Double> trustgateCpuUs = new ArrayList<>();
        final List<Double> baselineCpuUs = new ArrayList<>();
        final List<ServerHistogram> serverRounds = new ArrayList<>();

        /** trustgate's reviews/s as a share of the baseline's, per round. */
        List<Double> ratios() {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < trustgate.size(); i++) {
                ratios.add(trustgate.get(i).rps() / baseline.get(i).rps());
            }
            return ratios;
        }

        double trustgateRps() {
            return median(trustgate.stream().map(Wrk.Result::rps).toList());
        }

        double baselineRps() {
            return median(baseline.stream().map(Wrk.Result::rps).toList());
        }

        double defaultsRps() {
            return median(defaults.stream().map(Wrk.Result::rps).toList());
        }

        /** trustgate's reviews/s with the chart's flags as a share of its reviews/s with default flags, per round. */
        List<Double> chartToDefaults() {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < trustgate.size(); i++) {
                ratios.add(trustgate.get(i).rps() / defaults.get(i).rps());
            }
            return ratios;
        }

        /** trustgate's own view of all measured rounds. */
        ServerHistogram server() {
            return serverRounds.stream().reduce(ServerHistogram.empty(), ServerHistogram::plus);
        }
    }

    // ------------------------------------------------------------------------------------------- (c) cold latency

    /**
     * The first review of each new image, one at a time; image i of every endpoint is reviewed before image i + 1
     * of any, the endpoints taking turns at going first, so that neither gets a quieter machine or a JIT that had
     * longer to compile. trustgate's CPU time is counted from sending a review to its answer; the server-side
     * histogram is scraped after each review (outside that window).
     */
    private List<ColdResult> cold(String kind, Map<Endpoint, List<PushedImage>> images) throws Exception {
        Map<Endpoint, List<Double>> millis = new EnumMap<>(Endpoint.class);
        Map<Endpoint, Double> cpu = new EnumMap<>(Endpoint.class);
        Map<Endpoint, ServerHistogram> server = new EnumMap<>(Endpoint.class);
        List<Endpoint> order = new ArrayList<>(List.of(Endpoint.values()));
        ServerHistogram last = scrape();
        for (int i = 0; i < settings.cold(); i++) {
            for (Endpoint e : order) {
                PushedImage img = images.get(e).get(i);
                String body = review("cold-" + img.path().replace('/', '-'), img.reference());
                double cpu0 = cpuSeconds(trustgate.pid());
                long t0 = System.nanoTime();
                Answer a = post(trustgatePort, e, body);
                millis.computeIfAbsent(e, k -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6);
                cpu.merge(e, cpuSeconds(trustgate.pid()) - cpu0, Double::sum);
                expect(e, a, List.of(img), "the cold " + kind + " review");
                ServerHistogram now = scrape();
                server.merge(e, now.minus(last), ServerHistogram::plus);
                last = now;
            }
            Collections.reverse(order);
        }
        List<ColdResult> results = new ArrayList<>();
        for (Endpoint e : Endpoint.values()) {
            ColdResult r = new ColdResult(kind, e, millis.get(e), server.get(e), cpu.get(e) * 1000 / settings.cold());
            log(
                    "cold %s %s: n=%d p50 %.1f ms p99 %.1f ms (server-side p50 <= %.1f ms)",
                    kind,
                    e.path(),
                    r.millis().size(),
                    r.p(0.50),
                    r.p(0.99),
                    r.server().quantileUpperBound(0.5) * 1000);
            results.add(r);
        }
        return results;
    }

    /** @param cpuMs trustgate's CPU time (user + system) per cold review, from sending it to its answer */
    record ColdResult(String kind, Endpoint endpoint, List<Double> millis, ServerHistogram server, double cpuMs) {
        double p(double q) {
            return percentile(millis, q);
        }
    }

    // ------------------------------------------------------------------------------------------- (d) coalescing

    record HerdResult(
            String kind,
            String image,
            int reviews,
            int allowed,
            double sentWithinMs,
            double firstAnswerMs,
            double lastAnswerMs,
            int sentBeforeFirstAnswer,
            Map<String, Long> upstream) {}

    private HerdResult herdGpg(PushedImage img) throws Exception {
        long manifestsBefore = registry.manifestRequests(img.path());
        int lookasideBefore = lookaside.requestedPaths().size();
        HerdResult r = herd("GPG", img, () -> {
            Map<String, Long> up = new LinkedHashMap<>();
            up.put(
                    "registry: HEAD/GET /v2/" + img.path() + "/manifests/*",
                    registry.manifestRequests(img.path()) - manifestsBefore);
            List<String> paths = lookaside.requestedPaths();
            Map<String, Long> perFile = new TreeMap<>();
            for (String path : paths.subList(lookasideBefore, paths.size())) {
                perFile.merge("lookaside: GET " + path, 1L, Long::sum);
            }
            up.putAll(perFile);
            return up;
        });
        return r;
    }

    private HerdResult herdNotary(PushedImage img, String gun) throws Exception {
        long manifestsBefore = registry.manifestRequests(img.path());
        Map<String, Long> notaryBefore = notaryRequests(gun);
        return herd("Notary", img, () -> {
            Map<String, Long> up = new LinkedHashMap<>();
            up.put(
                    "registry: HEAD/GET /v2/" + img.path() + "/manifests/*",
                    registry.manifestRequests(img.path()) - manifestsBefore);
            notaryRequests(gun).forEach((uri, n) -> {
                long delta = n - notaryBefore.getOrDefault(uri, 0L);
                if (delta > 0) {
                    up.put("notary-server: GET " + uri, delta);
                }
            });
            return up;
        });
    }

    /**
     * A format whose signatures live in the registry beside the image (cosign 3 bundles: the referrers tag, the
     * bundle's manifest and blob): every request the registry logged for the image's repository, by method and URI.
     */
    private HerdResult herdRegistryOnly(String kind, PushedImage img) throws Exception {
        int before = registry.requests().size();
        String prefix = "/v2/" + img.path() + "/";
        return herd(kind, img, () -> {
            Map<String, Long> up = new TreeMap<>();
            List<RegistryPeer.AccessLogEntry> all = registry.requests();
            for (RegistryPeer.AccessLogEntry e : all.subList(before, all.size())) {
                if (e.uri().startsWith(prefix)) {
                    up.merge("registry: " + e.method() + " " + e.uri(), 1L, Long::sum);
                }
            }
            return up;
        });
    }

    private interface Counts {
        Map<String, Long> get() throws Exception;
    }

    private HerdResult herd(String kind, PushedImage img, Counts counts) throws Exception {
        int n = settings.herd();
        // 200 TLS handshakes at once on a loaded 2-core machine can take longer than the usual 5 s.
        HttpClient herdClient = client(HttpClient.Version.HTTP_1_1, Duration.ofSeconds(60));
        // Open n keep-alive connections first, so the n reviews below go out at once on their own connections.
        List<CompletableFuture<HttpResponse<Void>>> opens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            opens.add(herdClient.sendAsync(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + trustgatePort + "/q/health/live"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding()));
        }
        CompletableFuture.allOf(opens.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        String body = review("herd-" + kind, img.reference());
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        AtomicLong firstAnswer = new AtomicLong(Long.MAX_VALUE);
        long[] sentAt = new long[n];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sentAt[i] = System.nanoTime();
            answers.add(herdClient
                    .sendAsync(request(trustgatePort, Endpoint.VALIDATE, body), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> firstAnswer.accumulateAndGet(System.nanoTime(), Math::min)));
        }
        long sentAll = System.nanoTime();
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long done = System.nanoTime();
        int allowed = 0;
        for (CompletableFuture<HttpResponse<String>> a : answers) {
            if (parse(a.join().body()).allowed()) {
                allowed++;
            }
        }
        int beforeFirst = 0;
        for (long s : sentAt) {
            if (s < firstAnswer.get()) {
                beforeFirst++;
            }
        }
        Thread.sleep(1500); // the registry writes its access log line after the response
        HerdResult r = new HerdResult(
                kind,
                img.reference(),
                n,
                allowed,
                (sentAll - t0) / 1e6,
                (firstAnswer.get() - t0) / 1e6,
                (done - t0) / 1e6,
                beforeFirst,
                counts.get());
        log(
                "herd %s: %d/%d allowed, all sent within %.1f ms, first answer %.1f ms, last %.1f ms; upstream %s",
                kind, allowed, n, r.sentWithinMs(), r.firstAnswerMs(), r.lastAnswerMs(), r.upstream());
        return r;
    }

    /**
     * notary-server's log: how many GET requests for each trust file of {@code gun} it served. The server logs
     * several JSON lines per request; they share {@code http.request.id}, so requests are counted by id.
     */
    private Map<String, Long> notaryRequests(String gun) throws IOException {
        Map<String, java.util.Set<String>> ids = new TreeMap<>();
        for (String line : Files.readAllLines(notary.log())) {
            Matcher uri = NOTARY_URI.matcher(line);
            Matcher id = NOTARY_REQUEST_ID.matcher(line);
            if (line.contains("\"http.request.method\":\"GET\"")
                    && uri.find()
                    && id.find()
                    && uri.group(1).startsWith("/v2/" + gun + "/")) {
                ids.computeIfAbsent(uri.group(1), k -> new java.util.HashSet<>())
                        .add(id.group(1));
            }
        }
        Map<String, Long> out = new TreeMap<>();
        ids.forEach((uri, set) -> out.put(uri, (long) set.size()));
        return out;
    }

    // ------------------------------------------------------------------------------------------- HTTP

    /** @param patch the decoded JSONPatch of a /mutate answer, {@code null} when the answer has none */
    record Answer(boolean allowed, String message, String patchType, JsonNode patch) {}

    private static String review(String uid, String... images) throws IOException {
        return reviewIn(uid, "default", images);
    }

    /** A Pod AdmissionReview (CREATE) in {@code namespace} with one container per image; also RecheckBench's. */
    static String reviewIn(String uid, String namespace, String... images) throws IOException {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", uid);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("operation", "CREATE");
        request.put("namespace", namespace);
        request.put("name", "bench");
        ObjectNode pod = request.putObject("object");
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.putObject("metadata").put("name", "bench").put("namespace", namespace);
        ArrayNode containers = pod.putObject("spec").putArray("containers");
        for (int i = 0; i < images.length; i++) {
            containers.addObject().put("name", "c" + i).put("image", images[i]);
        }
        return JSON.writeValueAsString(review);
    }

    private static String url(int port, Endpoint endpoint) {
        return "https://127.0.0.1:" + port + endpoint.path();
    }

    private HttpRequest request(int port, Endpoint endpoint, String body) {
        return HttpRequest.newBuilder(URI.create(url(port, endpoint)))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private Answer post(int port, Endpoint endpoint, String body) throws Exception {
        HttpResponse<String> r = http.send(request(port, endpoint, body), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(
                    "POST " + endpoint.path() + " answered " + r.statusCode() + ": " + r.body());
        }
        return parse(r.body());
    }

    private static Answer parse(String body) throws IOException {
        JsonNode response = JSON.readTree(body).path("response");
        JsonNode patch = response.hasNonNull("patch")
                ? JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()))
                : null;
        return new Answer(
                response.path("allowed").asBoolean(),
                response.path("status").path("message").asText(""),
                response.path("patchType").asText(null),
                patch);
    }

    /**
     * Fails the run unless {@code answer} admits the Pod of {@code images} (container i runs image i) as {@code
     * endpoint} must: /validate without a patch, /mutate with exactly the JSONPatch that replaces each image by
     * {@code name:tag@} the digest that was pushed and signed. A figure of a denial or of a broken patch would
     * measure the wrong path.
     */
    private static void expect(Endpoint endpoint, Answer answer, List<PushedImage> images, String what) {
        String of = what + " of " + images.stream().map(PushedImage::reference).toList() + " via " + endpoint.path();
        if (!answer.allowed()) {
            throw new IllegalStateException(of + " is denied: " + answer.message());
        }
        ArrayNode expected = null;
        if (endpoint == Endpoint.MUTATE) {
            expected = JSON.createArrayNode();
            for (int i = 0; i < images.size(); i++) {
                expected.addObject()
                        .put("op", "replace")
                        .put("path", "/spec/containers/" + i + "/image")
                        .put(
                                "value",
                                images.get(i).reference() + "@" + images.get(i).digest());
            }
        }
        boolean right = expected == null
                ? answer.patch() == null && answer.patchType() == null
                : expected.equals(answer.patch()) && "JSONPatch".equals(answer.patchType());
        if (!right) {
            throw new IllegalStateException(of + " is allowed with patchType " + answer.patchType() + " and patch "
                    + answer.patch() + "; expected " + (expected == null ? "none" : "JSONPatch " + expected));
        }
    }

    private int status(int port, String path) {
        return BenchHttp.status(http, port, path);
    }

    private ServerHistogram scrape() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + trustgatePort + "/q/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return ServerHistogram.parse(r.body());
    }

    private HttpClient client(HttpClient.Version version) {
        return client(version, Duration.ofSeconds(5));
    }

    private HttpClient client(HttpClient.Version version, Duration connectTimeout) {
        return BenchHttp.tlsClient(ca, version, connectTimeout);
    }

    // ------------------------------------------------------------------------------------------- machine

    /**
     * What the heap holds once collected: {@code jcmd PID GC.run}, then the heap lines of {@code GC.heap_info} (total = committed, used = live data). Tells JVM heap sizing from live data.
     */
    private static String heapAfterFullGc(long pid) {
        Proc.cmd("jcmd", String.valueOf(pid), "GC.run").runAllowingFailure();
        Proc.Result info = Proc.cmd("jcmd", String.valueOf(pid), "GC.heap_info").runAllowingFailure();
        // G1 prints one "garbage-first heap total .., used .." line; Serial one per generation (new, tenured).
        String heap = info.stdout()
                .lines()
                .filter(l -> l.contains("total") && l.contains("used"))
                .map(String::strip)
                .collect(Collectors.joining("; "));
        return heap.isEmpty() ? "? (" + info.stderr().strip() + ")" : heap;
    }

    /** This JVM's class path with absolute entries, for a process started in another directory. */
    private static String absoluteClassPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("nproc", Proc.cmd("nproc").runAllowingFailure().stdout().strip());
        m.put("CPU", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        String mem = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        try {
            m.put(
                    "RAM",
                    String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(mem.replaceAll("[^0-9]", "")) / 1048576.0));
        } catch (NumberFormatException e) {
            m.put("RAM", mem);
        }
        Proc.Result v = Proc.cmd(chartJvm.java(), "-version").runAllowingFailure();
        m.put(
                "JVM",
                v.stderr().lines().skip(1).findFirst().orElse("?").strip() + " (" + System.getProperty("java.vm.name")
                        + " " + System.getProperty("java.vm.version")
                        + "), default flags: `java -jar quarkus-run.jar`");
        m.put("kernel", Proc.cmd("uname", "-sr").runAllowingFailure().stdout().strip());
        m.put(
                "wrk",
                Proc.cmd("dpkg-query", "-W", "-f", "${Version}", "wrk")
                        .runAllowingFailure()
                        .stdout()
                        .strip());
        m.put(
                "git",
                Proc.cmd("git", "rev-parse", "--short", "HEAD")
                        .runAllowingFailure()
                        .stdout()
                        .strip());
        return m;
    }

    private static String firstValue(Path file, String key) {
        try {
            return Files.readAllLines(file).stream()
                    .filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    static double percentile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        // nearest rank
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void log(String format, Object... args) {
        System.out.println("[bench " + LocalTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS) + "] "
                + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private void close() {
        for (AutoCloseable c : closers) {
            try {
                c.close();
            } catch (Exception e) {
                log("closing %s: %s", c, e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- report

    /** Start and memory of the trustgate with the JVM's default flags. */
    static final class Footprint {
        double readySeconds;
        long rssIdleKiB;
        long rssUnderLoadKiB;
        long hwmKiB;
        String heapAfterGc;
    }

    /** Everything measured, and docs/benchmarks.md made of it. */
    static final class Report {
        Settings settings;
        TrustgateSettings trustgateSettings;
        Instant started;
        Instant finished;
        String loadAtStart;
        String loadBeforeWarm;
        String loadAfterWarm;
        String loadAtEnd;
        double prepareSeconds;
        double readySeconds;
        String quarkusStartedLine;
        int notaryRootKeys;
        long rssIdleKiB;
        long rssUnderLoadKiB;
        long rssAnonUnderLoadKiB;
        long rssFileUnderLoadKiB;
        long rssEndKiB;
        long hwmKiB;
        long baselineHwmKiB;
        String heapAfterGc;
        JvmConfig chartJvm;
        JvmConfig defaultJvm;
        /** The same trustgate started with the JVM's default flags. */
        final Footprint defaults = new Footprint();

        final Map<Endpoint, WarmFigures> warm = new EnumMap<>(Endpoint.class);
        final List<ColdResult> cold = new ArrayList<>();
        final List<QuietRow> quiet = new ArrayList<>();
        final List<HerdResult> herds = new ArrayList<>();
        String bounds;

        String markdown(Map<String, String> machine) {
            StringBuilder md = new StringBuilder();
            DateTimeFormatter f =
                    DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

            md.append("# Benchmarks\n\n");
            md.append("Written by `make bench` (`io.trustgate.bench.Bench`); every figure below comes from one run on ")
                    .append(f.format(started))
                    .append(" (")
                    .append(Duration.between(started, finished).toSeconds())
                    .append(
                            " s). Re-running overwrites this file. Figures, not assertions: the machine is shared, so read ")
                    .append("the ratios and medians, and the load average next to them.\n\n");

            md.append("## Machine\n\n| | |\n|---|---|\n");
            machine.forEach(
                    (k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            md.append("| load average (1/5/15 min) | start ")
                    .append(loadAtStart)
                    .append("; before warm load ")
                    .append(loadBeforeWarm)
                    .append("; after it ")
                    .append(loadAfterWarm)
                    .append("; end ")
                    .append(loadAtEnd)
                    .append(" |\n");
            md.append("| command | `make bench` (BENCH_DURATION=")
                    .append(settings.duration().toSeconds())
                    .append(" BENCH_WARMUP=")
                    .append(settings.warmup().toSeconds())
                    .append(" BENCH_ROUNDS=")
                    .append(settings.rounds())
                    .append(" BENCH_CONNECTIONS=")
                    .append(settings.connections())
                    .append(" BENCH_THREADS=")
                    .append(settings.threads())
                    .append(" BENCH_COLD=")
                    .append(settings.cold())
                    .append(" BENCH_HERD=")
                    .append(settings.herd())
                    .append(settings.jfr() ? " BENCH_JFR=1" : "")
                    .append(") |\n\n");

            md.append("## Targets\n\n| target | measured | |\n|---|---|---|\n");
            warm.forEach((e, w) -> {
                double ratio = median(w.ratios());
                target(
                        md,
                        "warm throughput >= 70% of the baseline, `" + e.path() + "`",
                        pct(ratio)
                                + " (median of per-round ratios; medians " + fmt0(w.trustgateRps()) + " vs "
                                + fmt0(w.baselineRps()) + " reviews/s)",
                        ratio >= 0.70);
            });
            warm.forEach((e, w) -> {
                ServerHistogram server = w.server();
                double serverP99 = server.quantileUpperBound(0.99);
                target(
                        md,
                        "trustgate's own p99 (server-side histogram) <= 1 ms, `" + e.path() + "`",
                        "p99 in the bucket <= " + ms(serverP99) + "; " + pct(server.shareAtMost(0.001)) + " of "
                                + fmt0(server.count()) + " warm reviews took <= 1 ms (mean "
                                + ms3(server.meanSeconds()) + ")",
                        serverP99 <= 0.001);
            });
            for (ColdResult c : cold) {
                target(
                        md,
                        "cold " + c.kind() + " p50 <= 50 ms over loopback, `"
                                + c.endpoint().path() + "`",
                        String.format(
                                Locale.ROOT,
                                "%.1f ms (p99 %.1f ms, n=%d)",
                                c.p(0.5),
                                c.p(0.99),
                                c.millis().size()),
                        c.p(0.5) <= 50);
            }
            for (ColdResult c : cold) {
                if (!c.kind().equals("GPG") && !c.kind().equals("Notary")) {
                    continue;
                }
                target(
                        md,
                        "issue 11: cold " + c.kind() + " p50 <= 12 ms and CPU <= 10 ms per review, `"
                                + c.endpoint().path() + "`, right after the warm load",
                        String.format(Locale.ROOT, "%.1f ms, %.1f ms CPU", c.p(0.5), c.cpuMs()),
                        c.p(0.5) <= 12 && c.cpuMs() <= 10);
            }
            for (QuietRow q : quiet) {
                target(
                        md,
                        "issue 11: cold " + q.kind()
                                + " p50 <= 12 ms and CPU <= 10 ms per review, `/validate`, once the JIT has gone quiet",
                        String.format(
                                Locale.ROOT,
                                "%.1f ms, %.1f ms CPU (%.1f ms without the JIT compilers' threads; n=%d)",
                                percentile(q.millis(), 0.5),
                                q.cpuMs(),
                                q.ownMs(),
                                q.millis().size()),
                        percentile(q.millis(), 0.5) <= 12 && q.cpuMs() <= 10);
            }
            for (HerdResult h : herds) {
                boolean once = h.upstream().values().stream().allMatch(v -> v == 1)
                        && !h.upstream().isEmpty()
                        && h.allowed() == h.reviews();
                target(
                        md,
                        h.reviews() + " concurrent reviews of one new " + h.kind()
                                + " image -> one tag resolution, one fetch of each file",
                        h.upstream().entrySet().stream()
                                .map(e -> e.getValue() + " x " + shortKey(e.getKey()))
                                .reduce((a, b) -> a + ", " + b)
                                .orElse("none"),
                        once);
            }
            target(
                    md,
                    "RSS <= 200 MiB under warm load with the chart's flags and limits",
                    mib(rssUnderLoadKiB) + " (VmRSS max under warm load); peak VmHWM over the run " + mib(hwmKiB),
                    rssUnderLoadKiB <= 200 * 1024);
            target(
                    md,
                    "ready <= 2 s after start, chart's flags",
                    String.format(Locale.ROOT, "%.2f s", readySeconds),
                    readySeconds <= 2.0);
            md.append('\n');

            md.append("## (a, b) Warm throughput and latency\n\n");
            md.append("Load generator: **wrk ")
                    .append(machine.get("wrk"))
                    .append("** (Debian) with `scripts/bench/review.lua`: ")
                    .append(settings.threads())
                    .append(" threads, ")
                    .append(settings.connections())
                    .append(
                            " keep-alive HTTPS (HTTP/1.1) connections, POST of one Pod AdmissionReview with 3 images that ")
                    .append("trustgate has already verified (GPG, one signer). Each side had a ")
                    .append(settings.warmup().toSeconds())
                    .append(" s warm-up, then ")
                    .append(settings.rounds())
                    .append(" alternating rounds of ")
                    .append(settings.duration().toSeconds())
                    .append(
                            " s. Latencies are wrk's (client side, including wrk's own queueing on the same 2 cores).\n\n");
            md.append(
                            "The baseline (`io.trustgate.bench.BaselineServer`) is its own JVM like trustgate: Vert.x 4 HTTPS on ")
                    .append(
                            "Netty with JDK TLS, the same certificate, 2 x cores event loops, Jackson parse of the body and a ")
                    .append(
                            "fixed `allowed: true` answer. Both servers stay up for the whole run; only one is loaded at a ")
                    .append(
                            "time. wrk runs on the same two cores as the server under load, so both figures are what is ")
                    .append("left after wrk's share.\n\n");
            md.append("| endpoint | round | trustgate reviews/s | p50 | p99 | p99.9 | CPU/review ")
                    .append("| baseline reviews/s | p50 | p99 | p99.9 | CPU/review | ratio |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            warm.forEach((e, w) -> {
                List<Double> ratios = w.ratios();
                for (int i = 0; i < w.trustgate.size(); i++) {
                    Wrk.Result t = w.trustgate.get(i);
                    Wrk.Result b = w.baseline.get(i);
                    md.append("| `")
                            .append(e.path())
                            .append("` | ")
                            .append(i + 1)
                            .append(" | ")
                            .append(fmt0(t.rps()))
                            .append(" | ")
                            .append(us(t.p50()))
                            .append(" | ")
                            .append(us(t.p99()))
                            .append(" | ")
                            .append(us(t.p999()))
                            .append(" | ")
                            .append(cpuUs(w.trustgateCpuUs.get(i)))
                            .append(" | ")
                            .append(fmt0(b.rps()))
                            .append(" | ")
                            .append(us(b.p50()))
                            .append(" | ")
                            .append(us(b.p99()))
                            .append(" | ")
                            .append(us(b.p999()))
                            .append(" | ")
                            .append(cpuUs(w.baselineCpuUs.get(i)))
                            .append(" | ")
                            .append(pct(ratios.get(i)))
                            .append(" |\n");
                }
                md.append("| `")
                        .append(e.path())
                        .append("` | **median** | **")
                        .append(fmt0(w.trustgateRps()))
                        .append("** | ")
                        .append(us(medianL(
                                w.trustgate.stream().map(Wrk.Result::p50).toList())))
                        .append(" | ")
                        .append(us(medianL(
                                w.trustgate.stream().map(Wrk.Result::p99).toList())))
                        .append(" | ")
                        .append(us(medianL(
                                w.trustgate.stream().map(Wrk.Result::p999).toList())))
                        .append(" | ")
                        .append(cpuUs(median(w.trustgateCpuUs)))
                        .append(" | **")
                        .append(fmt0(w.baselineRps()))
                        .append("** | ")
                        .append(us(
                                medianL(w.baseline.stream().map(Wrk.Result::p50).toList())))
                        .append(" | ")
                        .append(us(
                                medianL(w.baseline.stream().map(Wrk.Result::p99).toList())))
                        .append(" | ")
                        .append(us(medianL(
                                w.baseline.stream().map(Wrk.Result::p999).toList())))
                        .append(" | ")
                        .append(cpuUs(median(w.baselineCpuUs)))
                        .append(" | **")
                        .append(pct(median(ratios)))
                        .append("** |\n");
            });
            md.append('\n');
            md.append(
                            "CPU/review is the server process' user + system CPU time over the round (/proc/PID/stat) divided by ")
                    .append(
                            "the reviews wrk completed: a cost per review that the machine's other load disturbs much less ")
                    .append("than reviews/s. By that measure the baseline costs ")
                    .append(warm.entrySet().stream()
                            .map(e -> pct(median(e.getValue().baselineCpuUs) / median(e.getValue().trustgateCpuUs))
                                    + " of what trustgate costs per review on `"
                                    + e.getKey().path() + "`")
                            .collect(Collectors.joining(" and ")))
                    .append(".\n\n");
            WarmFigures validate = warm.get(Endpoint.VALIDATE);
            WarmFigures mutate = warm.get(Endpoint.MUTATE);
            List<Double> mutateShare = new ArrayList<>();
            for (int i = 0; i < mutate.trustgate.size(); i++) {
                mutateShare.add(mutate.trustgate.get(i).rps()
                        / validate.trustgate.get(i).rps());
            }
            md.append("`/mutate` against `/validate` on trustgate (the same review; `/mutate` also builds and ")
                    .append("base64-encodes the JSONPatch pinning the 3 images): ")
                    .append(pct(median(mutateShare)))
                    .append(" of the reviews/s (median of per-round ratios), ")
                    .append(pct(median(mutate.trustgateCpuUs) / median(validate.trustgateCpuUs)))
                    .append(" of the CPU/review (ratio of the medians).\n\n");
            long errors = warm.values().stream()
                    .flatMap(w -> Stream.concat(w.trustgate.stream(), w.baseline.stream()))
                    .mapToLong(r -> r.errors() + r.statusErrors())
                    .sum();
            md.append("Socket errors or non-2xx answers during the measured rounds: ")
                    .append(errors)
                    .append(".\n\n");
            md.append(
                            "Server side (`trustgate_review_duration_seconds`, from `/q/metrics` before and after each trustgate ")
                    .append("round; time inside `AdmissionHandler.decide`, without HTTP, TLS and, for `/mutate`, the ")
                    .append("patch's JSON and base64 encoding):\n\n");
            md.append("| endpoint | round | reviews | allowed | mean | <= 1 ms | p99 bucket | p99.9 bucket |\n")
                    .append("|---|---|---|---|---|---|---|---|\n");
            warm.forEach((e, w) -> {
                for (int i = 0; i < w.serverRounds.size(); i++) {
                    ServerHistogram h = w.serverRounds.get(i);
                    md.append("| `")
                            .append(e.path())
                            .append("` | ")
                            .append(i + 1)
                            .append(" | ")
                            .append(fmt0(h.count()))
                            .append(" | ")
                            .append(fmt0(h.countByVerdict().getOrDefault("allowed", 0.0)))
                            .append(" | ")
                            .append(ms3(h.meanSeconds()))
                            .append(" | ")
                            .append(pct(h.shareAtMost(0.001)))
                            .append(" | <= ")
                            .append(ms(h.quantileUpperBound(0.99)))
                            .append(" | <= ")
                            .append(ms(h.quantileUpperBound(0.999)))
                            .append(" |\n");
                }
            });
            md.append(
                    "\nMicrometer's buckets start at 1 ms, so the histogram can say \"at most 1 ms\" but not how far below.\n\n");

            md.append("## (c) Cold latency: the first review of a new image\n\n");
            md.append(
                            "Every image has its own repository (and, for Notary, its own GUN with its own targets key, sharing one ")
                    .append("root key), so each first review misses every cache: tag -> digest at the registry, the ")
                    .append(
                            "signatures (lookaside) or the trust data (root, timestamp, snapshot, targets from notary-server, ")
                    .append(
                            "TLS), and the verdict. All images were pushed and signed before trustgate started; the reviews ")
                    .append(
                            "are sent one at a time over one kept-alive connection (JDK HttpClient), Pod with one image. ")
                    .append("`/validate` and `/mutate` each review their own new images, taking turns (image i of ")
                    .append("both before image i + 1, the one going first alternating), so neither has a quieter ")
                    .append("machine or a warmer JIT; every `/mutate` answer was checked to carry the JSONPatch that ")
                    .append("pins the image to the digest pushed and signed. The cosign 2.x, cosign 3 and Notation ")
                    .append("images were signed key-based by the real cosign v2.6.5, cosign v3.1.3 (a bundle in the ")
                    .append("referrers tag: docker-registry 2.8 has no referrers API) and notation v1.3.2 (JWS), each ")
                    .append(
                            "format under its own policy naming only its source and key. trustgate CPU/review is counted from ")
                    .append("sending a review to its answer; `/q/metrics` is scraped after each review, outside that ")
                    .append("window. Client-side latency:\n\n");
            md.append("| signature kind | endpoint | n | p50 | p90 | p99 | min | max | server-side p50 bucket ")
                    .append("| server-side mean | trustgate CPU/review |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (ColdResult c : cold) {
                md.append("| ")
                        .append(c.kind())
                        .append(" | `")
                        .append(c.endpoint().path())
                        .append("` | ")
                        .append(c.millis().size())
                        .append(" | ")
                        .append(ms1(c.p(0.5)))
                        .append(" | ")
                        .append(ms1(c.p(0.9)))
                        .append(" | ")
                        .append(ms1(c.p(0.99)))
                        .append(" | ")
                        .append(ms1(Collections.min(c.millis())))
                        .append(" | ")
                        .append(ms1(Collections.max(c.millis())))
                        .append(" | <= ")
                        .append(ms(c.server().quantileUpperBound(0.5)))
                        .append(" | ")
                        .append(ms3(c.server().meanSeconds()))
                        .append(" | ")
                        .append(ms1(c.cpuMs()))
                        .append(" |\n");
            }
            md.append("\nWith n=").append(settings.cold()).append(", p99 is the slowest review or next to it.\n\n");
            if (!quiet.isEmpty()) {
                md.append("**On a replica whose JIT has gone quiet.** The rows above come right after the warm load: ")
                        .append("the JIT compilers are still compiling the code a cold review meets for the first ")
                        .append("time (HTTP client, TLS, trust data, signature checks), and their threads run beside ")
                        .append("every review. After everything else above (cold rows, coalescing), the bench waited, ")
                        .append("idle, until the compiler threads used under 5% of a CPU for a second, then reviewed ")
                        .append("more new images on `/validate`, one at a time, trustgate's CPU read per thread ")
                        .append("(`/proc/PID/task/*/schedstat`) around each review:\n\n")
                        .append("| kind | reviews | p50 | p90 | max | CPU/review (all threads) | of which |\n")
                        .append("|---|---|---|---|---|---|---|\n");
                for (QuietRow q : quiet) {
                    coldRow(
                            md,
                            q.kind(),
                            "after " + q.quiet() + ", n=" + q.millis().size(),
                            q.millis(),
                            q.cpu());
                }
                md.append('\n');
            }

            md.append("## (d) Coalescing: concurrent reviews of one new image\n\n");
            md.append("The harness opens ")
                    .append(settings.herd())
                    .append(" HTTPS connections to trustgate, then sends one ")
                    .append(
                            "review of the same new image on each without waiting (JDK HttpClient, HTTP/1.1). Upstream ")
                    .append(
                            "requests are counted where the upstream saw them: the registry's access log, the lookaside ")
                    .append(
                            "server's request list, notary-server's log (its JSON lines counted by distinct `http.request.id`).\n\n");
            md.append(
                    "| image | reviews | allowed | all sent within | sent before the first answer | first answer | last answer |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            for (HerdResult h : herds) {
                md.append("| ")
                        .append(h.kind())
                        .append(" | ")
                        .append(h.reviews())
                        .append(" | ")
                        .append(h.allowed())
                        .append(" | ")
                        .append(ms1(h.sentWithinMs()))
                        .append(" | ")
                        .append(h.sentBeforeFirstAnswer())
                        .append(" | ")
                        .append(ms1(h.firstAnswerMs()))
                        .append(" | ")
                        .append(ms1(h.lastAnswerMs()))
                        .append(" |\n");
            }
            md.append("\n| image | upstream request | count |\n|---|---|---|\n");
            for (HerdResult h : herds) {
                h.upstream()
                        .forEach((k, v) -> md.append("| ")
                                .append(h.kind())
                                .append(" | `")
                                .append(k)
                                .append("` | ")
                                .append(v)
                                .append(" |\n"));
            }
            md.append('\n');

            md.append("## (e) Memory and startup\n\n| | |\n|---|---|\n");
            md.append("| ready: process start -> first 200 from `/q/health/ready` | ")
                    .append(String.format(Locale.ROOT, "%.2f s", readySeconds))
                    .append(" |\n");
            md.append("| Quarkus' own line | `")
                    .append(quarkusStartedLine.replace("|", "/").strip())
                    .append("` |\n");
            md.append("| VmRSS idle after ready | ").append(mib(rssIdleKiB)).append(" |\n");
            md.append("| VmRSS max under warm load (sampled every 0.5 s) | ")
                    .append(mib(rssUnderLoadKiB))
                    .append(" |\n");
            md.append(
                            "| of which RssAnon (heap, metaspace, JIT code, stacks, malloc) / RssFile (mapped: the AOT cache, ")
                    .append("the JDK's modules, jars; clean pages the kernel can reclaim) | ")
                    .append(mib(rssAnonUnderLoadKiB))
                    .append(" / ")
                    .append(mib(rssFileUnderLoadKiB))
                    .append(" |\n");
            md.append("| VmRSS at the end (after cold and coalescing) | ")
                    .append(mib(rssEndKiB))
                    .append(" |\n");
            md.append("| VmHWM (peak RSS of the whole run) | ")
                    .append(mib(hwmKiB))
                    .append(" |\n");
            md.append("| heap after a full GC at the end (`jcmd GC.run`, `GC.heap_info`) | `")
                    .append(heapAfterGc)
                    .append("` |\n");
            md.append("| baseline's VmHWM, for comparison | ")
                    .append(mib(baselineHwmKiB))
                    .append(" |\n\n");
            md.append("trustgate (and the baseline) run with `")
                    .append(String.join(" ", chartJvm.options()))
                    .append("`: ")
                    .append(chartJvm.description())
                    .append(", as the JVM would size itself in that container (section (f)).\n\n");
            if (trustgateSettings != null) {
                md.append("trustgate's settings (docs/configuration.md): deadline ")
                        .append(trustgateSettings.deadline())
                        .append(", upstream connect/request timeouts ")
                        .append(trustgateSettings.transport().connectTimeout())
                        .append('/')
                        .append(trustgateSettings.transport().requestTimeout())
                        .append(", caches ")
                        .append(trustgateSettings.cache())
                        .append(".\n\n");
            }
            md.append(
                            "Preparing the images (push, GPG signing with skopeo, `notary init` + `addhash` + `publish` per GUN) took ")
                    .append(String.format(Locale.ROOT, "%.0f s", prepareSeconds))
                    .append(" and is not part of any figure.\n\n");
            whatUsersRun(md);
            md.append(bounds == null ? "" : bounds);
            md.append(LIMITS_MARKER).append('\n');
            return md.toString();
        }

        /** (f): the chart's JVM flags (what a cluster runs) beside the JVM's defaults, same run, same load. */
        private void whatUsersRun(StringBuilder md) {
            md.append("## (f) What users run: the chart's JVM flags beside the JVM's defaults\n\n");
            md.append("Every figure above is trustgate as the chart runs it: ")
                    .append(chartJvm.description())
                    .append(", turned into the flags the JVM derives from a container's limits (a RAM percentage of ")
                    .append("the memory limit as -Xmx/-Xms, the CPU limit as -XX:ActiveProcessorCount; CPU time is ")
                    .append("not capped): `")
                    .append(String.join(" ", chartJvm.options()))
                    .append("` (`io.trustgate.bench.JvmConfig`). A second trustgate with no JVM options at all ")
                    .append("(sized from this machine) ran beside it in the same run: it took the same warm-up, ")
                    .append("and its warm rounds alternated with the chart's and the baseline's.\n\n");
            md.append("| | chart's flags | default flags | chart / default |\n|---|---|---|---|\n");
            md.append(String.format(
                    Locale.ROOT,
                    "| ready: start -> first 200 of `/q/health/ready` | %.2f s | %.2f s | %s |%n",
                    readySeconds,
                    defaults.readySeconds,
                    pct(readySeconds / defaults.readySeconds)));
            warm.forEach((e, w) -> {
                md.append("| warm reviews/s `")
                        .append(e.path())
                        .append("` (median of rounds; ratio: median of per-round ratios) | ")
                        .append(fmt0(w.trustgateRps()))
                        .append(" | ")
                        .append(fmt0(w.defaultsRps()))
                        .append(" | ")
                        .append(pct(median(w.chartToDefaults())))
                        .append(" |\n");
                md.append("| warm p99 `")
                        .append(e.path())
                        .append("` (client side, median of rounds) | ")
                        .append(us(medianL(
                                w.trustgate.stream().map(Wrk.Result::p99).toList())))
                        .append(" | ")
                        .append(us(
                                medianL(w.defaults.stream().map(Wrk.Result::p99).toList())))
                        .append(" | |\n");
                md.append("| warm CPU/review `")
                        .append(e.path())
                        .append("` (median of rounds) | ")
                        .append(cpuUs(median(w.trustgateCpuUs)))
                        .append(" | ")
                        .append(cpuUs(median(w.defaultsCpuUs)))
                        .append(" | ")
                        .append(pct(median(w.trustgateCpuUs) / median(w.defaultsCpuUs)))
                        .append(" |\n");
            });
            md.append("| VmRSS idle after ready | ")
                    .append(mib(rssIdleKiB))
                    .append(" | ")
                    .append(mib(defaults.rssIdleKiB))
                    .append(" | |\n");
            md.append("| VmRSS max under warm load | ")
                    .append(mib(rssUnderLoadKiB))
                    .append(" | ")
                    .append(mib(defaults.rssUnderLoadKiB))
                    .append(" | ")
                    .append(pct((double) rssUnderLoadKiB / defaults.rssUnderLoadKiB))
                    .append(" |\n");
            md.append("| VmHWM (the chart's side also did the cold and coalescing phases) | ")
                    .append(mib(hwmKiB))
                    .append(" | ")
                    .append(mib(defaults.hwmKiB))
                    .append(" | |\n");
            md.append("| heap after a full GC at the end | `")
                    .append(heapAfterGc)
                    .append("` | `")
                    .append(defaults.heapAfterGc)
                    .append("` | |\n\n");
            md.append("Load average before the warm rounds ")
                    .append(loadBeforeWarm)
                    .append(", after them ")
                    .append(loadAfterWarm)
                    .append(". The cold and coalescing phases ran against the chart's flags only.\n\n");
        }

        private static void target(StringBuilder md, String what, String measured, boolean met) {
            md.append("| ")
                    .append(what)
                    .append(" | ")
                    .append(measured)
                    .append(" | ")
                    .append(met ? "met" : "**missed**")
                    .append(" |\n");
        }

        private static String shortKey(String key) {
            return key.replaceAll("^[a-z-]+: (HEAD/GET|GET) ", "")
                    .replaceAll("^/v2/.*?/_trust/tuf/", "")
                    .replaceAll("^/v2/.*/manifests/\\*", "manifest")
                    .replaceAll("^/.*/", "");
        }

        private static double medianL(List<Long> values) {
            return median(values.stream().map(Long::doubleValue).toList());
        }

        private static String fmt0(double v) {
            return String.format(Locale.ROOT, "%.0f", v);
        }

        private static String pct(double v) {
            return String.format(Locale.ROOT, "%.0f%%", v * 100);
        }

        private static String us(long micros) {
            return us((double) micros);
        }

        private static String us(double micros) {
            return String.format(Locale.ROOT, "%.2f ms", micros / 1000);
        }

        private static String ms(double seconds) {
            return Double.isInfinite(seconds) ? "+Inf" : String.format(Locale.ROOT, "%.1f ms", seconds * 1000);
        }

        private static String ms3(double seconds) {
            return String.format(Locale.ROOT, "%.3f ms", seconds * 1000);
        }

        private static String ms1(double millis) {
            return String.format(Locale.ROOT, "%.1f ms", millis);
        }

        private static String cpuUs(double micros) {
            return String.format(Locale.ROOT, "%.0f µs", micros);
        }

        private static String mib(long kib) {
            return String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
        }
    }

    /** Where the hand-written part of docs/benchmarks.md begins; Bench copies it over from the previous file. */
    static final String LIMITS_MARKER = "<!-- written by hand below: kept across runs -->";
}
