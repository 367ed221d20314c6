package io.trustgate.bench;

import static io.trustgate.bench.BenchProcess.cpuSeconds;
import static io.trustgate.bench.BenchProcess.loadavg;
import static io.trustgate.bench.BenchProcess.procStatus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.bench.BenchProcess.RssSampler;
import io.trustgate.config.Setting;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.Ports;
import io.trustgate.testing.Proc;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Warm-up and memory of trustgate under different JVM configurations (issue 11, items 3 and 5): for each one, a new
 * trustgate process; the time from its start to the first 200 of {@code /q/health/ready}; wrk's warm review (three
 * GPG-signed images, as in {@link Bench}) for the first {@code WARMUP_FIRST} seconds right after ready, then
 * {@code WARMUP_SETTLE} seconds unmeasured, then {@code WARMUP_STEADY} seconds of steady state; reviews/s and server
 * CPU per review of both windows, VmRSS under load (max of samples every 0.5 s) and VmHWM. Configurations run in
 * turn, {@code WARMUP_ROUNDS} rounds, every other round in reverse order. Archive-based configurations (AppCDS,
 * the JDK 25 AOT cache) get a training run first: start, {@code WARMUP_TRAIN} seconds of the same load, exit.
 *
 * <p>Not part of {@code make bench} (several JVMs, a few minutes):
 *
 * <pre>
 * make build; ./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
 * java -cp target/test-classes:target/classes:$(cat target/bench-classpath.txt) io.trustgate.bench.WarmupBench
 * </pre>
 *
 * {@code WARMUP_CONFIGS} picks and orders configurations by name ({@link #configurations}), or defines new ones as
 * {@code name=options|name=options}; {@code WARMUP_JDK25} is the JDK 25 home. Besides JVM options, a configuration's
 * options may hold {@code @jdk25} (run on JDK 25), {@code @app=DIR} (another quarkus-app directory, e.g. one packaged
 * as {@code aot-jar}), {@code @env:NAME=VALUE} (an environment variable, e.g. {@code @env:TRUSTGATE_WARMUP=1s}),
 * {@code @cds}/{@code @aot} (an archive trained under this bench's own load), {@code @aottrain} (an AOT cache
 * trained by {@code scripts/train-aot-cache.sh}, as {@code make image} and {@code make run} train it; {@code
 * @aottrain=SCRIPT}: by another training script, e.g. an older one to compare) and
 * {@code @taskset=CPUS} (the process confined to those CPUs with {@code taskset -c}, as a container's cpu limit
 * of 1 confines it: {@code -XX:ActiveProcessorCount=1} alone sizes the JVM for one CPU but lets its JIT and GC
 * threads run on the other core, which makes "ready" and the first seconds look better than in a pod).
 */
public final class WarmupBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path repo = Path.of("").toAbsolutePath();
    private final Path work = PeerProcess.peerDir("warmup").resolve("run-" + System.currentTimeMillis());
    private final List<AutoCloseable> closers = new ArrayList<>();
    private final Duration first = Duration.ofSeconds(env("WARMUP_FIRST", 10));
    private final Duration settle = Duration.ofSeconds(env("WARMUP_SETTLE", 10));
    private final Duration steady = Duration.ofSeconds(env("WARMUP_STEADY", 10));
    private final Duration train = Duration.ofSeconds(env("WARMUP_TRAIN", 10));
    private final int rounds = env("WARMUP_ROUNDS", 1);
    /** WARMUP_NMT=1: native memory tracking on, {@code jcmd VM.native_memory summary} after the steady window. */
    private final boolean nmt = env("WARMUP_NMT", 0) == 1;

    private final String jdk25 = System.getenv().getOrDefault("WARMUP_JDK25", "/usr/lib/jvm/temurin-25-jdk-amd64");

    private TestCa ca;
    private TestCa.Issued serving;
    private HttpClient http;
    private Path body;
    private Path policies;
    private Map<String, String> trustgateEnv;

    private WarmupBench() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // as in Bench: no Nagle stalls at the lookaside
        WarmupBench bench = new WarmupBench();
        try {
            bench.run();
        } finally {
            bench.close();
        }
        System.exit(0);
    }

    /** The result of one configuration in one round. */
    record Result(
            String config,
            double readySeconds,
            double startCpuSeconds,
            Wrk.Result first,
            double firstCpuUs,
            Wrk.Result steady,
            double steadyCpuUs,
            long rssKiB,
            long hwmKiB) {}

    private void run() throws Exception {
        Files.createDirectories(work);
        String loadStart = loadavg();
        log("warmup dir %s; load %s", work, loadStart);
        prepare();
        Map<String, JvmConfig> all = configurations();
        List<JvmConfig> chosen = chosen(all);
        for (JvmConfig c : chosen) {
            log("config %s: %s %s", c.name(), c.java(), String.join(" ", c.options()));
        }
        List<Result> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<JvmConfig> order = new ArrayList<>(chosen);
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            for (JvmConfig c : order) {
                Result r = measure(c);
                results.add(r);
                log(
                        "round %d %s: ready %.2f s (%.2f s CPU), first %.0f/s (%.0f µs CPU), steady %.0f/s (%.0f µs"
                                + " CPU), first/steady %.0f%%, RSS %d MiB, HWM %d MiB",
                        round,
                        c.name(),
                        r.readySeconds(),
                        r.startCpuSeconds(),
                        r.first().rps(),
                        r.firstCpuUs(),
                        r.steady().rps(),
                        r.steadyCpuUs(),
                        100 * r.first().rps() / r.steady().rps(),
                        r.rssKiB() / 1024,
                        r.hwmKiB() / 1024);
            }
        }
        String md = markdown(chosen, results, loadStart, loadavg());
        Path out = work.resolve("warmup.md");
        Files.writeString(out, md);
        System.out.println(md);
        log("wrote %s", out);
    }

    /**
     * The configurations compared, by name. {@code base} is the chart's container equivalent of the options it
     * shipped before issue 11 (MaxRAMPercentage 75 of 512Mi, 1 CPU, SerialGC as the image sets) without the tiering
     * choice; {@code chart} is Chart/values.yaml as it is now.
     */
    Map<String, JvmConfig> configurations() {
        String java = JvmConfig.currentJava();
        List<String> base = new ArrayList<>(JvmConfig.containerEquivalent(
                "-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC", "512Mi", "1"));
        Map<String, JvmConfig> m = new LinkedHashMap<>();
        m.put("c1", new JvmConfig("c1", java, plus(base, "-XX:TieredStopAtLevel=1"), "the chart before: C1 only"));
        m.put("tiered", new JvmConfig("tiered", java, base, "the same, tiered compilation (C1 + C2)"));
        m.put(
                "cds",
                new JvmConfig("cds", java, plus(base, "@cds"), "tiered + JDK 17 AppCDS (dynamic archive, trained)"));
        m.put(
                "aot25",
                new JvmConfig(
                        "aot25",
                        Path.of(jdk25, "bin/java").toString(),
                        plus(base, "@aot"),
                        "tiered on JDK 25 + AOT cache (JEP 483/514/515, trained)"));
        m.put(
                "jdk25",
                new JvmConfig("jdk25", Path.of(jdk25, "bin/java").toString(), base, "tiered on JDK 25, no AOT cache"));
        JvmConfig chart = JvmConfig.chart(repo);
        m.put("chart", chart);
        m.put("default", JvmConfig.defaults());
        // issue 11 items 3 and 5: the chart's flags on JDK 17 and JDK 25, with and without a trained archive.
        // WARMUP_AOT_APP is a quarkus-app packaged as aot-jar (every class on the JDK's class path, which an AOT
        // cache or CDS archive needs; fast-jar loads the application through Quarkus' own class loader).
        String aotApp = "@app=" + System.getenv().getOrDefault("WARMUP_AOT_APP", "target/warm-aot");
        String java25 = Path.of(jdk25, "bin/java").toString();
        m.put("chart-cds", chart.with("chart-cds", "chart, JDK 17 AppCDS (dynamic archive, trained)", List.of("@cds")));
        m.put(
                "chart-cds-aotjar",
                chart.with(
                        "chart-cds-aotjar",
                        "chart, aot-jar packaging, JDK 17 AppCDS (dynamic archive, trained)",
                        List.of(aotApp, "@cds")));
        m.put("chart-aotjar", chart.with("chart-aotjar", "chart, aot-jar packaging, JDK 17", List.of(aotApp)));
        m.put(
                "chart-jdk25",
                chart.with("chart-jdk25", "chart on JDK 25, no cache", List.of())
                        .withJava(java25));
        for (String w : List.of("3s", "1s", "0s")) {
            String name = "chart-aot25-w" + w.replace("s", "");
            JvmConfig aot = chart.with(
                            name,
                            "chart on JDK 25, aot-jar, AOT cache from scripts/train-aot-cache.sh, TRUSTGATE_WARMUP="
                                    + w,
                            List.of(aotApp, "@aottrain", "@env:TRUSTGATE_WARMUP=" + w))
                    .withJava(java25);
            m.put(name, aot);
            // the chart's cpu limit of 1 as a container has it: the process on one CPU (JIT and GC threads
            // included), not only -XX:ActiveProcessorCount=1, which leaves the other core to the JIT
            m.put(
                    name + "-1cpu",
                    aot.with(name + "-1cpu", aot.description() + ", on one CPU (taskset -c 1)", List.of("@taskset=1")));
        }
        return m;
    }

    private List<JvmConfig> chosen(Map<String, JvmConfig> all) {
        String spec = System.getenv().getOrDefault("WARMUP_CONFIGS", "c1,tiered,cds,aot25");
        List<JvmConfig> chosen = new ArrayList<>();
        // names are separated by commas; once a configuration is defined inline (name=options), only "|" separates,
        // so that options may hold commas (e.g. a -javaagent's arguments)
        for (String part : spec.split(spec.contains("=") ? "\\|" : "[,|]")) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq > 0) {
                String name = p.substring(0, eq);
                String opts = p.substring(eq + 1).strip();
                String java = JvmConfig.currentJava();
                if (opts.contains("@aot") || opts.contains("@jdk25")) {
                    java = Path.of(jdk25, "bin/java").toString();
                }
                chosen.add(new JvmConfig(
                        name, java, List.of(opts.replace("@jdk25", "").strip().split("\\s+")), "from WARMUP_CONFIGS"));
            } else if (!p.isEmpty()) {
                JvmConfig c = all.get(p);
                if (c == null) {
                    throw new IllegalArgumentException("no configuration " + p + "; known: " + all.keySet());
                }
                chosen.add(c);
            }
        }
        return chosen;
    }

    private static List<String> plus(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return List.copyOf(all);
    }

    // ------------------------------------------------------------------------------------------- set-up

    private void prepare() throws Exception {
        ca = TestCa.create(work.resolve("ca"));
        serving = ca.issueServer("trustgate");
        RegistryPeer registry = RegistryPeer.builder("warmup-registry").start();
        closers.add(registry);
        GpgPeer gpg = GpgPeer.create();
        closers.add(gpg);
        String fpr = gpg.generateKey("Warmup Signer", "warmup@example.test");
        LookasidePeer lookaside = LookasidePeer.serve("warmup-lookaside", work.resolve("lookaside"));
        closers.add(lookaside);
        http = client();
        List<String> refs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            PushedImage img = ImageFactory.pushRandom(registry, "bench/warm/app-" + i, "1.0");
            gpg.signImage(fpr, img.reference(), lookaside.root());
            refs.add(img.reference());
        }
        policies = Files.createDirectories(work.resolve("policies"));
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", "ClusterTrustPolicy");
        p.putObject("metadata").put("name", "bench-gpg");
        ObjectNode spec = p.putObject("spec");
        spec.put("mode", "Enforce");
        spec.putArray("images").add(registry.host() + "/bench/warm/**");
        spec.put("minSignatures", 1);
        spec.put("lookaside", lookaside.baseUrl());
        spec.putArray("signers")
                .addObject()
                .put("name", "bench-gpg")
                .putArray("keys")
                .add(gpg.exportPublic(fpr));
        Files.writeString(policies.resolve("bench-gpg.json"), JSON.writeValueAsString(p));
        body = work.resolve("warm-review.json");
        Files.writeString(body, review(refs));
        trustgateEnv = new LinkedHashMap<>();
        trustgateEnv.put(Setting.TLS_CERT.env(), serving.certPem().toString());
        trustgateEnv.put(Setting.TLS_KEY.env(), serving.keyPem().toString());
        trustgateEnv.put(Setting.POLICIES_DIR.env(), policies.toString());
        trustgateEnv.put(Setting.INSECURE_REGISTRIES.env(), registry.host());
        // warm the harness' own TLS client, so the readiness poll does not time the client's class loading
        status(Ports.free(), "/");
    }

    private static String review(List<String> images) throws IOException {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", "warm-review");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("operation", "CREATE");
        request.put("namespace", "default");
        request.put("name", "bench");
        ObjectNode pod = request.putObject("object");
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.putObject("metadata").put("name", "bench").put("namespace", "default");
        ArrayNode containers = pod.putObject("spec").putArray("containers");
        for (int i = 0; i < images.size(); i++) {
            containers.addObject().put("name", "c" + i).put("image", images.get(i));
        }
        return JSON.writeValueAsString(review);
    }

    // ------------------------------------------------------------------------------------------- one configuration

    private final Map<String, Path> archives = new LinkedHashMap<>();

    /** The quarkus-app directory of a configuration: {@code @app=DIR}, else target/quarkus-app. */
    private Path appDir(JvmConfig c) {
        return c.options().stream()
                .filter(o -> o.startsWith("@app="))
                .map(o -> repo.resolve(o.substring("@app=".length())))
                .findFirst()
                .orElse(repo.resolve("target/quarkus-app"));
    }

    /** The environment variables a configuration adds: {@code @env:NAME=VALUE}. */
    private static Map<String, String> extraEnv(JvmConfig c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String o : c.options()) {
            if (o.startsWith("@env:")) {
                String kv = o.substring("@env:".length());
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return env;
    }

    /**
     * The options with {@code @cds}/{@code @aot}/{@code @aottrain} replaced by the archive flags, training the archive
     * once per JVM, app directory and kind; {@code @app=}/{@code @env:} dropped (see {@link #appDir}, {@link
     * #extraEnv}).
     */
    private List<String> resolve(JvmConfig c) throws Exception {
        List<String> opts = new ArrayList<>();
        List<String> jvmOnly =
                c.options().stream().filter(o -> !o.startsWith("@")).toList();
        for (String o : c.options()) {
            if (o.startsWith("@app=") || o.startsWith("@env:") || o.startsWith("@taskset=")) {
                continue;
            }
            if (o.equals("@aottrain") || o.startsWith("@aottrain=")) {
                String script =
                        o.equals("@aottrain") ? "scripts/train-aot-cache.sh" : o.substring("@aottrain=".length());
                String key = c.java() + " " + appDir(c) + " aottrain " + script + " " + jvmOnly;
                Path archive = archives.get(key);
                if (archive == null) {
                    archive = work.resolve(c.name() + "-trained.aot");
                    // a copy: bash reads a script while it runs it, and the script may be edited meanwhile
                    Path copy = work.resolve(c.name() + "-train.sh");
                    Files.copy(repo.resolve(script), copy);
                    copy.toFile().setExecutable(true);
                    long t0 = System.nanoTime();
                    List<String> cmd = new ArrayList<>(
                            List.of(copy.toString(), c.java(), appDir(c).toString(), archive.toString()));
                    cmd.addAll(jvmOnly);
                    cmd.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
                    Proc.Result r = Proc.cmd(cmd).timeout(Duration.ofMinutes(5)).runAllowingFailure();
                    if (!Files.isRegularFile(archive)) {
                        throw new IllegalStateException(
                                "train-aot-cache.sh wrote no " + archive + ":\n" + r.stdout() + r.stderr());
                    }
                    log(
                            "trained %s (%d MiB) with scripts/train-aot-cache.sh in %.1f s",
                            archive.getFileName(), Files.size(archive) >> 20, (System.nanoTime() - t0) / 1e9);
                    archives.put(key, archive);
                }
                opts.add("-XX:AOTCache=" + archive);
            } else if (o.equals("@cds") || o.equals("@aot")) {
                boolean aot = o.equals("@aot");
                Path archive = archives.get(c.name());
                if (archive == null) {
                    archive = work.resolve(c.name() + (aot ? ".aot" : ".jsa"));
                    List<String> trainOpts = new ArrayList<>(jvmOnly);
                    trainOpts.add(aot ? "-XX:AOTCacheOutput=" + archive : "-XX:ArchiveClassesAtExit=" + archive);
                    trainRun(c, trainOpts, archive);
                    archives.put(c.name(), archive);
                }
                opts.add(aot ? "-XX:AOTCache=" + archive : "-XX:SharedArchiveFile=" + archive);
            } else {
                opts.add(o);
            }
        }
        return opts;
    }

    private List<String> withNmt(List<String> opts) {
        if (!nmt) {
            return opts;
        }
        List<String> all = new ArrayList<>(opts);
        all.add("-XX:NativeMemoryTracking=summary");
        return all;
    }

    private void trainRun(JvmConfig c, List<String> opts, Path archive) throws Exception {
        long t0 = System.nanoTime();
        Started s = start(c, opts, "train");
        new Wrk(repo.resolve("scripts/bench/review.lua"), 2, 32).run(url(s.port()), body, train);
        ProcessHandle.of(s.process().pid()).ifPresent(ProcessHandle::destroy); // SIGTERM: a normal exit writes it
        int code = s.process().awaitExit(Duration.ofSeconds(120));
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("training run (exit " + code + ") wrote no " + archive + ":\n"
                    + s.process().tail());
        }
        log(
                "trained %s (%d MiB) in %.1f s",
                archive.getFileName(), Files.size(archive) >> 20, (System.nanoTime() - t0) / 1e9);
    }

    private record Started(PeerProcess process, int port, double readySeconds, double cpuSeconds) {}

    private Started start(JvmConfig c, List<String> opts, String tag) {
        List<String> cmd = new ArrayList<>();
        c.options().stream()
                .filter(o -> o.startsWith("@taskset="))
                .findFirst()
                .ifPresent(o -> cmd.addAll(List.of("taskset", "-c", o.substring("@taskset=".length()))));
        cmd.add(c.java());
        cmd.addAll(opts);
        cmd.addAll(List.of("-jar", "quarkus-run.jar"));
        Map<String, String> env = new LinkedHashMap<>(trustgateEnv);
        env.putAll(extraEnv(c));
        // run from the app directory, as the image runs `java -jar quarkus-run.jar` from /home/jboss (an AOT
        // cache records the class path as given)
        BenchProcess.Launched launched = BenchProcess.start(
                "warmup-" + tag, tag, cmd, env, appDir(c), work, port -> status(port, "/q/health/ready") == 200);
        PeerProcess p = launched.process();
        closers.add(0, p);
        return new Started(p, launched.port(), launched.readySeconds(), cpuSeconds(p.pid()));
    }

    private Result measure(JvmConfig c) throws Exception {
        List<String> opts = resolve(c);
        Wrk wrk = new Wrk(repo.resolve("scripts/bench/review.lua"), 2, 32);
        Started s = start(c, withNmt(opts), c.name());
        try {
            long pid = s.process().pid();
            RssSampler rss = new RssSampler(pid, "warmup-rss");
            double cpu0 = cpuSeconds(pid);
            Wrk.Result firstWindow = wrk.run(url(s.port()), body, first);
            double cpu1 = cpuSeconds(pid);
            wrk.run(url(s.port()), body, settle);
            double cpu2 = cpuSeconds(pid);
            Wrk.Result steadyWindow = wrk.run(url(s.port()), body, steady);
            double cpu3 = cpuSeconds(pid);
            long rssMax = rss.stop();
            if (nmt) {
                Path out = work.resolve(c.name() + "-nmt.txt");
                Files.writeString(
                        out,
                        Proc.cmd("jcmd", String.valueOf(pid), "VM.native_memory", "summary")
                                .runAllowingFailure()
                                .stdout());
                log("native memory of %s under load: %s", c.name(), out);
            }
            if (firstWindow.statusErrors() + steadyWindow.statusErrors() > 0) {
                throw new IllegalStateException(c.name() + ": non-200 answers under load");
            }
            String answer = post(s.port());
            if (!answer.contains("\"allowed\":true")) {
                throw new IllegalStateException(c.name() + ": the warm review is not allowed: " + answer);
            }
            return new Result(
                    c.name(),
                    s.readySeconds(),
                    s.cpuSeconds(),
                    firstWindow,
                    (cpu1 - cpu0) * 1e6 / firstWindow.requests(),
                    steadyWindow,
                    (cpu3 - cpu2) * 1e6 / steadyWindow.requests(),
                    rssMax,
                    procStatus(pid, "VmHWM"));
        } finally {
            s.process().stop();
            closers.remove(s.process());
        }
    }

    // ------------------------------------------------------------------------------------------- report

    private String markdown(List<JvmConfig> configs, List<Result> results, String loadStart, String loadEnd) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "Warm-up: %d round(s), first %d s after ready, %d s settle, %d s steady; wrk 2 threads 32"
                        + " connections; load average %s at the start, %s at the end. Medians over rounds.\n\n",
                rounds,
                first.toSeconds(),
                settle.toSeconds(),
                steady.toSeconds(),
                loadStart,
                loadEnd));
        md.append(
                "| configuration | ready | CPU to ready | first 10 s reviews/s | CPU/review | steady reviews/s"
                        + " | CPU/review | first / steady reviews/s | steady / first CPU per review | RSS under load | VmHWM |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (JvmConfig c : configs) {
            List<Result> rs =
                    results.stream().filter(r -> r.config().equals(c.name())).toList();
            double firstRps = Bench.median(rs.stream().map(r -> r.first().rps()).toList());
            double steadyRps =
                    Bench.median(rs.stream().map(r -> r.steady().rps()).toList());
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.2f s | %.2f s | %.0f | %.0f µs | %.0f | %.0f µs | %.0f%% | %.0f%% | %d MiB | %d MiB |\n",
                    c.name(),
                    Bench.median(rs.stream().map(Result::readySeconds).toList()),
                    Bench.median(rs.stream().map(Result::startCpuSeconds).toList()),
                    firstRps,
                    Bench.median(rs.stream().map(Result::firstCpuUs).toList()),
                    steadyRps,
                    Bench.median(rs.stream().map(Result::steadyCpuUs).toList()),
                    100
                            * Bench.median(rs.stream()
                                    .map(r -> r.first().rps() / r.steady().rps())
                                    .toList()),
                    100
                            * Bench.median(rs.stream()
                                    .map(r -> r.steadyCpuUs() / r.firstCpuUs())
                                    .toList()),
                    (long) Bench.median(
                                    rs.stream().map(r -> (double) r.rssKiB()).toList())
                            / 1024,
                    (long) Bench.median(
                                    rs.stream().map(r -> (double) r.hwmKiB()).toList())
                            / 1024));
        }
        md.append('\n');
        for (JvmConfig c : configs) {
            md.append("- ")
                    .append(c.name())
                    .append(": ")
                    .append(c.description())
                    .append(": `")
                    .append(Path.of(c.java()).getParent().getParent().getFileName())
                    .append(' ')
                    .append(String.join(" ", c.options()))
                    .append("`\n");
        }
        return md.toString();
    }

    // ------------------------------------------------------------------------------------------- HTTP, machine

    private static String url(int port) {
        return "https://127.0.0.1:" + port + "/validate";
    }

    private String post(int port) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(url(port)))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofFile(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private int status(int port, String path) {
        return BenchHttp.status(http, port, path);
    }

    private HttpClient client() {
        return BenchHttp.tlsClient(ca, HttpClient.Version.HTTP_1_1, Duration.ofSeconds(2));
    }

    private static int env(String name, int dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.strip());
    }

    private static void log(String format, Object... args) {
        System.out.println("[warmup " + LocalTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS) + "] "
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
}
