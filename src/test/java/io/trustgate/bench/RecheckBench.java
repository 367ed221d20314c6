package io.trustgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustgate.config.Setting;
import io.trustgate.recheck.PolicyReports;
import io.trustgate.testing.ClusterFixture;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.Ports;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code make bench}'s background recheck phase (also alone: {@code BENCH_ONLY=recheck}), issue 13's two targets:
 *
 * <ol>
 *   <li>a recheck of {@value #PODS} running Pods over {@value #IMAGES} distinct images costs no more upstream
 *       requests than {@value #IMAGES} cold verifications: requests counted where they arrive, in the registry's
 *       access log and the lookaside server's request list, for the first recheck of a trustgate that has verified
 *       nothing, and for {@value #IMAGES} cold admission reviews (one per image, as the Pods name them) on a fresh
 *       trustgate;
 *   <li>admission's warm throughput during a recheck stays within 10 % of without: wrk on {@code /validate} (a Pod
 *       of three verified images) with and without a recheck running, alternating, in the same run; medians.
 * </ol>
 *
 * <p>The Pods reach trustgate the way users run it: created in a real kube-apiserver (with etcd), their status
 * written as a kubelet would ({@code Running}, {@code imageID} with the pulled digest), watched by trustgate's
 * informer; trustgate runs with the chart's RBAC (its ServiceAccount's token), the chart's JVM flags and the
 * default {@code TRUSTGATE_RECHECK_RATE}. The chart's webhook configurations are removed before the Pods are
 * created: they stand for Pods admitted earlier, and admitting them here would warm the caches the recheck must
 * find cold. A recheck during the load is started by editing the recheck policy (a new resourceVersion, so every
 * verdict under it is judged again), never the warm load's own policy.
 */
final class RecheckBench {

    static final String BEGIN = "<!-- recheck bench: written by make bench and BENCH_ONLY=recheck -->";
    static final String END = "<!-- /recheck bench -->";

    static final int PODS = 5_000;
    static final int IMAGES = 200;
    static final int PODS_PER_REPLICASET = 10;
    static final int NAMESPACES = 10;
    private static final Pattern SCAN_LINE =
            Pattern.compile("recheck: (\\d+) running pods, (\\d+) distinct image checks, (\\d+) results, (\\d+) fail");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path work;
    private final JvmConfig jvm;
    private final int rounds;
    private final Duration window;
    private final StringBuilder log = new StringBuilder();

    private RegistryPeer registry;
    private GpgPeer gpg;
    private String signer;
    private LookasidePeer lookaside;
    private ClusterFixture cluster;
    private HttpClient http;

    RecheckBench(Path work, JvmConfig jvm) {
        this.work = work.resolve("recheck");
        this.jvm = jvm;
        this.rounds = env("BENCH_RECHECK_ROUNDS", 4);
        this.window = Duration.ofSeconds(env("BENCH_RECHECK_WINDOW", 8));
    }

    /** The figures of one run. */
    static final class Figures {
        String loadBefore;
        String loadAfter;
        double prepareSeconds;
        double podsSeconds;
        double firstRecheckSeconds;
        double firstRecheckCpu;
        int scannedPods;
        int checks;
        int reportResults;
        Map<String, Long> recheckUpstream = new LinkedHashMap<>();
        Map<String, Long> coldUpstream = new LinkedHashMap<>();
        double coldCpu;
        final List<Wrk.Result> without = new ArrayList<>();
        final List<Wrk.Result> with = new ArrayList<>();
        final List<Double> withoutCpuUs = new ArrayList<>();
        final List<Double> withCpuUs = new ArrayList<>();
        /** Rounds whose recheck finished before the loaded window ended (the window was not all "during"). */
        int roundsCut;

        long recheckTotal() {
            return recheckUpstream.values().stream().mapToLong(Long::longValue).sum();
        }

        long coldTotal() {
            return coldUpstream.values().stream().mapToLong(Long::longValue).sum();
        }

        double withoutRps() {
            return Bench.median(without.stream().map(Wrk.Result::rps).toList());
        }

        double withRps() {
            return Bench.median(with.stream().map(Wrk.Result::rps).toList());
        }
    }

    /** Runs the phase and returns its section of docs/benchmarks.md. */
    String run() throws Exception {
        Files.createDirectories(work);
        Figures f = new Figures();
        f.loadBefore = loadavg();
        try {
            measure(f);
        } finally {
            close();
        }
        f.loadAfter = loadavg();
        String md = markdown(f);
        Files.writeString(work.resolve("recheck.md"), md);
        return md;
    }

    private void measure(Figures f) throws Exception {
        long t0 = System.nanoTime();
        registry = RegistryPeer.builder("bench-recheck-registry").start();
        gpg = GpgPeer.create();
        signer = gpg.generateKey("Bench Recheck", "recheck@example.test");
        lookaside = LookasidePeer.serve("bench-recheck-lookaside", work.resolve("lookaside"));
        List<PushedImage> images = pushSigned("bench/recheck/app-", IMAGES);
        List<PushedImage> warm = pushSigned("bench/recheck-warm/app-", 3);
        cluster = ClusterFixture.start("bench-recheck-apiserver", work.resolve("cluster"));
        KubernetesClient admin = cluster.admin();
        TestCa ca = cluster.ca();
        http = ca.httpClient(Duration.ofSeconds(5));
        for (int n = 0; n < NAMESPACES; n++) {
            cluster.namespaces("bench-" + n);
        }
        cluster.installChart(Ports.free());
        // The Pods below stand for Pods admitted earlier: no webhook, so nothing warms trustgate's caches.
        admin.admissionRegistration().v1().validatingWebhookConfigurations().delete();
        admin.admissionRegistration().v1().mutatingWebhookConfigurations().delete();
        admin.resource(policy("bench-recheck", "bench/recheck/**")).create();
        admin.resource(policy("bench-warm", "bench/recheck-warm/**")).create();
        f.prepareSeconds = (System.nanoTime() - t0) / 1e9;
        note("prepared %d + %d signed images and the cluster in %.0f s", IMAGES, warm.size(), f.prepareSeconds);

        long p0 = System.nanoTime();
        createPods(admin, images);
        f.podsSeconds = (System.nanoTime() - p0) / 1e9;
        note("created %d running Pods (create + status) in %.0f s", PODS, f.podsSeconds);

        // (1) The first recheck of a trustgate that has verified nothing.
        Map<String, Long> before = upstream();
        Started tg = start("trustgate-recheck", ca, "1h");
        try {
            long r0 = System.nanoTime();
            double cpu0 = BenchProcess.cpuSeconds(tg.process().pid());
            Matcher scan = awaitScans(tg, 1, Duration.ofMinutes(3));
            f.firstRecheckSeconds = (System.nanoTime() - r0) / 1e9;
            f.firstRecheckCpu = BenchProcess.cpuSeconds(tg.process().pid()) - cpu0;
            f.scannedPods = Integer.parseInt(scan.group(1));
            f.checks = Integer.parseInt(scan.group(2));
            if (f.scannedPods != PODS || f.checks != IMAGES || !scan.group(4).equals("0")) {
                throw new IllegalStateException("the first recheck saw " + scan.group() + "; expected " + PODS
                        + " running pods, " + IMAGES + " distinct image checks, 0 fail");
            }
            f.reportResults = awaitReports(admin, PODS / PODS_PER_REPLICASET);
            Thread.sleep(1_500); // the registry writes its access log line after the response
            f.recheckUpstream = minus(upstream(), before);
            note(
                    "first recheck: %s in %.1f s (ready included), %.1f s CPU; upstream %s",
                    scan.group(), f.firstRecheckSeconds, f.firstRecheckCpu, f.recheckUpstream);

            // (2) Warm throughput with and without a recheck running.
            warmLoad(f, tg, admin, warm);
        } finally {
            tg.process().stop();
        }

        // (3) The same images, cold, through admission on a fresh trustgate (no recheck): one review per image.
        Started fresh = start("trustgate-cold", ca, "0s");
        try {
            Map<String, Long> coldBefore = upstream();
            double cpu0 = BenchProcess.cpuSeconds(fresh.process().pid());
            for (PushedImage img : images) {
                String body = Bench.reviewIn("cold-" + img.path().replace('/', '-'), "bench-0", img.reference());
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + fresh.port() + "/validate"))
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200
                        || !JSON.readTree(r.body())
                                .path("response")
                                .path("allowed")
                                .asBoolean()) {
                    throw new IllegalStateException(
                            "the cold review of " + img.reference() + " was not allowed: " + r.body());
                }
            }
            f.coldCpu = BenchProcess.cpuSeconds(fresh.process().pid()) - cpu0;
            Thread.sleep(1_500);
            f.coldUpstream = minus(upstream(), coldBefore);
            note("%d cold admission reviews: upstream %s", IMAGES, f.coldUpstream);
        } finally {
            fresh.process().stop();
        }
    }

    private List<PushedImage> pushSigned(String prefix, int count) throws Exception {
        List<PushedImage> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(ImageFactory.pushRandom(registry, prefix + i, "1.0"));
        }
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<Path>> signed = new ArrayList<>();
            for (PushedImage img : out) {
                signed.add(two.submit(() -> gpg.standaloneSign(signer, img, lookaside.root())));
            }
            for (Future<Path> s : signed) {
                s.get();
            }
        } finally {
            two.shutdownNow();
        }
        return out;
    }

    private GenericKubernetesResource policy(String name, String path) {
        GenericKubernetesResource p = new GenericKubernetesResource();
        p.setApiVersion("trustgate.io/v1alpha1");
        p.setKind("ClusterTrustPolicy");
        p.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(name)
                .build());
        p.setAdditionalProperty(
                "spec",
                Map.of(
                        "mode",
                        "Enforce",
                        "images",
                        List.of(registry.host() + "/" + path),
                        "lookaside",
                        lookaside.baseUrl(),
                        "signers",
                        List.of(Map.of("name", "bench", "keys", List.of(gpg.exportPublic(signer))))));
        return p;
    }

    /**
     * {@value #PODS} Pods in {@value #NAMESPACES} namespaces, {@value #PODS_PER_REPLICASET} per ReplicaSet, the
     * ReplicaSets running the images in turn; each created, then given the status a kubelet writes.
     */
    private void createPods(KubernetesClient admin, List<PushedImage> images) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < PODS; i++) {
                int pod = i;
                done.add(pool.submit(() -> {
                    int rs = pod / PODS_PER_REPLICASET;
                    PushedImage image = images.get(rs % images.size());
                    String ns = "bench-" + (rs % NAMESPACES);
                    ClusterFixture.createRunningPod(
                            admin,
                            ns,
                            "web-" + rs + "-" + pod,
                            "web-" + rs,
                            String.format(Locale.ROOT, "7c7e0e38-0000-4000-8000-%012d", rs),
                            image);
                    return null;
                }));
            }
            for (Future<?> d : done) {
                d.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Requests that reached the registry and the lookaside store for the recheck's images, by kind. */
    private Map<String, Long> upstream() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put(
                "registry: manifests",
                registry.countRequests(
                        e -> e.uri().startsWith("/v2/bench/recheck/") && e.uri().contains("/manifests/")));
        out.put(
                "registry: other",
                registry.countRequests(e ->
                        e.uri().startsWith("/v2/bench/recheck/") && !e.uri().contains("/manifests/")));
        out.put(
                "lookaside: GET",
                lookaside.requestedPaths().stream()
                        .filter(p -> p.contains("bench/recheck/"))
                        .count());
        return out;
    }

    private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> out = new LinkedHashMap<>();
        after.forEach((k, v) -> out.put(k, v - before.getOrDefault(k, 0L)));
        return out;
    }

    private void warmLoad(Figures f, Started tg, KubernetesClient admin, List<PushedImage> warm) throws Exception {
        Path body = work.resolve("warm-review.json");
        Files.writeString(
                body,
                Bench.reviewIn(
                        "warm",
                        "bench-0",
                        warm.stream().map(PushedImage::reference).toArray(String[]::new)));
        String url = "https://127.0.0.1:" + tg.port() + "/validate";
        Wrk wrk = new Wrk(Path.of("scripts/bench/review.lua").toAbsolutePath(), 2, 32);
        // Verifies the three images once, then warms the JIT: on a loaded machine the first seconds of load run
        // far slower than the rest, which would favour whichever side is measured last.
        wrk.run(url, body, Duration.ofSeconds(env("BENCH_RECHECK_WARMUP", 20)));
        int scans = 1;
        for (int round = 1; round <= rounds; round++) {
            boolean withFirst = round % 2 == 0;
            for (int leg = 0; leg < 2; leg++) {
                boolean during = (leg == 0) == withFirst;
                if (during) {
                    admin.genericKubernetesResources("trustgate.io/v1alpha1", "ClusterTrustPolicy")
                            .withName("bench-recheck")
                            .edit(p -> {
                                p.getMetadata().setAnnotations(Map.of("bench/edit", String.valueOf(System.nanoTime())));
                                return p;
                            });
                    // The recheck starts after the policy set is republished and its 2 s debounce; at the default
                    // rate it takes at least IMAGES / rate = 20 s, so the window below lies inside it.
                    Thread.sleep(4_000);
                    scans++;
                }
                long pid = tg.process().pid();
                double cpu0 = BenchProcess.cpuSeconds(pid);
                Wrk.Result r = wrk.run(url, body, window);
                double cpuUs = (BenchProcess.cpuSeconds(pid) - cpu0) * 1e6 / Math.max(1, r.requests());
                if (during) {
                    if (countScans(tg) >= scans) {
                        f.roundsCut++;
                    }
                    f.with.add(r);
                    f.withCpuUs.add(cpuUs);
                    awaitScans(tg, scans, Duration.ofMinutes(2));
                } else {
                    f.without.add(r);
                    f.withoutCpuUs.add(cpuUs);
                }
                note(
                        "round %d %s a recheck: %.0f reviews/s (p99 %.2f ms, %d errors), %.0f us CPU/review",
                        round,
                        during ? "during" : "without",
                        r.rps(),
                        r.p99() / 1000.0,
                        r.errors() + r.statusErrors(),
                        cpuUs);
            }
        }
    }

    private record Started(PeerProcess process, int port) {}

    /** trustgate as the chart runs it (its JVM flags and ServiceAccount), with the recheck every {@code interval}. */
    private Started start(String name, TestCa ca, String interval) throws Exception {
        // -Dbench.jar: a copy of the build, so a build during the run cannot change the classes under it.
        Path jar = Path.of(System.getProperty("bench.jar", "target/quarkus-app/quarkus-run.jar"))
                .toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw package -DskipTests first");
        }
        List<String> cmd = new ArrayList<>(List.of(jvm.java()));
        cmd.addAll(jvm.options());
        cmd.addAll(List.of("-jar", jar.toString()));
        TestCa.Issued tls = ca.issueServer(name);
        int port = Ports.free();
        Map<String, String> env = new LinkedHashMap<>(cluster.trustgateEnv(Map.of(
                Setting.INSECURE_REGISTRIES.env(),
                registry.host(),
                Setting.RECHECK_INTERVAL.env(),
                interval,
                Setting.RECHECK_LEASE.env(),
                "trustgate-recheck")));
        env.put(Setting.TLS_CERT.env(), tls.certPem().toString());
        env.put(Setting.TLS_KEY.env(), tls.keyPem().toString());
        env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        PeerProcess process = PeerProcess.start("bench-" + name, cmd, env, work, work.resolve(name + ".log"));
        process.awaitReady(Duration.ofSeconds(90), () -> ready(port));
        return new Started(process, port);
    }

    private boolean ready(int port) {
        try {
            return http.send(
                                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/q/health/ready"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int countScans(Started tg) {
        return scanLines(tg).size();
    }

    private static List<String> scanLines(Started tg) {
        try {
            return Files.readAllLines(tg.process().log()).stream()
                    .filter(l -> SCAN_LINE.matcher(l).find())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until trustgate logged its {@code n}-th finished recheck; returns that line's figures. */
    private static Matcher awaitScans(Started tg, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = scanLines(tg);
            if (lines.size() >= n) {
                Matcher m = SCAN_LINE.matcher(lines.get(n - 1));
                if (m.find()) {
                    return m;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("trustgate did not finish recheck " + n + " within " + timeout + ":\n"
                + tg.process().tail());
    }

    /** Waits for the PolicyReports of every namespace; returns their results (one per ReplicaSet and policy). */
    private static int awaitReports(KubernetesClient admin, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int results = 0;
        while (System.nanoTime() < deadline) {
            results = 0;
            for (int n = 0; n < NAMESPACES; n++) {
                GenericKubernetesResource r = admin.genericKubernetesResources(
                                PolicyReports.API_VERSION, PolicyReports.KIND)
                        .inNamespace("bench-" + n)
                        .withName(PolicyReports.NAME)
                        .get();
                if (r != null && r.getAdditionalProperties().get("results") instanceof List<?> l) {
                    results += l.size();
                }
            }
            if (results == expected) {
                return results;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the PolicyReports hold " + results + " results, not " + expected);
    }

    private String markdown(Figures f) {
        StringBuilder md = new StringBuilder();
        md.append(BEGIN).append('\n');
        md.append("## (g) Background recheck of running Pods (issue 13)\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Run %s; load average %s before, %s after. %d running Pods (%d ReplicaSets of %d, in %d namespaces)"
                        + " over %d distinct GPG-signed images, created in a real kube-apiserver with etcd and given a"
                        + " kubelet's status (%.0f s for create + status); trustgate with the chart's JVM flags (%s),"
                        + " its ServiceAccount's RBAC and the default `%s` (%s/s).%n%n",
                Instant.now(),
                f.loadBefore,
                f.loadAfter,
                PODS,
                PODS / PODS_PER_REPLICASET,
                PODS_PER_REPLICASET,
                NAMESPACES,
                IMAGES,
                f.podsSeconds,
                jvm.name(),
                Setting.RECHECK_RATE.env(),
                Setting.RECHECK_RATE.defaultValue()));
        md.append("| target | measured | met |\n|---|---|---|\n");
        md.append(String.format(
                Locale.ROOT,
                "| a recheck of %d Pods over %d images costs no more upstream requests than %d cold verifications"
                        + " | %d requests (%s) vs %d (%s) | %s |%n",
                PODS,
                IMAGES,
                IMAGES,
                f.recheckTotal(),
                breakdown(f.recheckUpstream),
                f.coldTotal(),
                breakdown(f.coldUpstream),
                f.recheckTotal() <= f.coldTotal() ? "yes" : "**no**"));
        double ratio = f.withRps() / f.withoutRps();
        md.append(String.format(
                Locale.ROOT,
                "| admission's warm throughput during a recheck within 10 %% of without | %.0f vs %.0f reviews/s"
                        + " (medians of %d rounds): %.1f %% | %s |%n%n",
                f.withRps(),
                f.withoutRps(),
                f.with.size(),
                (ratio - 1) * 100,
                ratio >= 0.9 ? "yes" : "**no**"));
        md.append(String.format(
                Locale.ROOT,
                "The first recheck (a trustgate that had verified nothing): %d Pods, %d distinct checks, %d report"
                        + " results, done %.1f s after start (start-up, Lease and informer list included), %.1f s of"
                        + " trustgate's CPU. The %d cold admission reviews: %.1f s of CPU.%n%n",
                f.scannedPods,
                f.checks,
                f.reportResults,
                f.firstRecheckSeconds,
                f.firstRecheckCpu,
                IMAGES,
                f.coldCpu));
        md.append(
                "| round | without: reviews/s | p99 | CPU/review | during a recheck: reviews/s | p99 | CPU/review |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < f.with.size() && i < f.without.size(); i++) {
            Wrk.Result a = f.without.get(i);
            Wrk.Result b = f.with.get(i);
            md.append(String.format(
                    Locale.ROOT,
                    "| %d | %.0f | %.2f ms | %.0f us | %.0f | %.2f ms | %.0f us |%n",
                    i + 1,
                    a.rps(),
                    a.p99() / 1000.0,
                    f.withoutCpuUs.get(i),
                    b.rps(),
                    b.p99() / 1000.0,
                    f.withCpuUs.get(i)));
        }
        md.append(String.format(
                Locale.ROOT,
                "%nEach loaded window is %d s of wrk (2 threads, 32 connections, a Pod of three verified images);"
                        + " a recheck is started by editing the recheck's policy 4 s before its window. Windows where"
                        + " the recheck ended before the window did: %d.%n",
                window.toSeconds(),
                f.roundsCut));
        md.append("\n<details><summary>log</summary>\n\n```\n").append(log).append("```\n</details>\n");
        md.append(END).append('\n');
        return md.toString();
    }

    private static String breakdown(Map<String, Long> counts) {
        return counts.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
    }

    /**
     * Puts {@code section} into {@code file}: in place of the previous one, else before the hand-written part.
     */
    static void splice(Path file, String section) throws IOException {
        String doc = Files.exists(file) ? Files.readString(file) : "";
        int b = doc.indexOf(BEGIN);
        int e = doc.indexOf(END);
        String out;
        if (b >= 0 && e > b) {
            out = doc.substring(0, b) + section + doc.substring(Math.min(doc.length(), e + END.length() + 1));
        } else {
            int limits = doc.indexOf(Bench.LIMITS_MARKER);
            out = limits >= 0
                    ? doc.substring(0, limits) + section + "\n" + doc.substring(limits)
                    : doc + "\n" + section;
        }
        Files.writeString(file, out);
    }

    private void note(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        log.append(line).append('\n');
        System.out.printf(Locale.ROOT, "[bench recheck] %s%n", line);
    }

    private static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ", -1);
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static int env(String name, int dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }

    private void close() {
        for (AutoCloseable c : new AutoCloseable[] {cluster, lookaside, gpg, registry}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.out.println("[bench recheck] closing: " + e);
                }
            }
        }
    }
}
