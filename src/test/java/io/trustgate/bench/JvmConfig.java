package io.trustgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.trustgate.testing.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a measured trustgate JVM is started: a name for the report, the {@code java} binary and its options.
 *
 * <p>{@link #chart} is what a cluster runs: the chart's {@code javaToolOptions} (Chart/values.yaml) with the
 * container's limits turned into the flags the JVM would derive from them inside the container. The JVM reads a
 * cgroup's memory limit as its physical memory and its CPU quota as its processor count; outside a container it would
 * size itself from the whole machine instead. So a percentage of RAM ({@code -XX:MaxRAMPercentage},
 * {@code -XX:InitialRAMPercentage}, default 1.5625) becomes an explicit {@code -Xmx}/{@code -Xms} of the memory
 * limit, and the CPU limit becomes {@code -XX:ActiveProcessorCount} (which also makes the JVM pick the GC and
 * compiler threads it would pick in the container). CPU time is not capped to the limit: the figures are per review.
 */
record JvmConfig(String name, String java, List<String> options, String description) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern PERCENT = Pattern.compile("-XX:(Max|Initial)RAMPercentage=([0-9.]+)");
    private static final Pattern QUANTITY = Pattern.compile("([0-9.]+)([a-zA-Z]*)");

    /** The JVM that runs the bench itself. */
    static String currentJava() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** {@code java -jar quarkus-run.jar} with no options: the JVM sizes itself from the whole machine. */
    static JvmConfig defaults() {
        return new JvmConfig("default flags", currentJava(), List.of(), "no JVM options (sized from the machine)");
    }

    /** The chart's JVM options and the equivalent of its container limits, read from {@code Chart/values.yaml}. */
    static JvmConfig chart(Path repo) {
        JsonNode values;
        try {
            values = YAML.readTree(repo.resolve("Chart/values.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String toolOptions = values.path("javaToolOptions").asText("");
        String memory = values.at("/resources/limits/memory").asText("");
        String cpu = values.at("/resources/limits/cpu").asText("");
        List<String> options = containerEquivalent(toolOptions, memory, cpu);
        return new JvmConfig(
                "chart",
                currentJava(),
                options,
                "Chart/values.yaml javaToolOptions `" + toolOptions + "`, limits memory " + memory + ", cpu " + cpu);
    }

    /**
     * What the image runs ({@code scripts/build-image.sh}): {@link #chart} on JDK 25 with an AOT cache trained for
     * {@code appDir} by {@code scripts/train-aot-cache.sh} (written into {@code work}), when a JDK 25 is at
     * {@code TRUSTGATE_JDK25} (default {@code /usr/lib/jvm/temurin-25-jdk-amd64}) and the app is packaged as
     * {@code aot-jar} ({@code make bench} packages it so when that JDK is there); else {@link #chart} on the JVM that
     * runs the bench, as {@code make run} falls back. The app must then be started from {@code appDir} as {@code java
     * ... -jar quarkus-run.jar}, as the image and the training start it.
     */
    static JvmConfig image(Path repo, Path appDir, Path work) {
        JvmConfig chart = chart(repo);
        Path java25 = Path.of(System.getenv().getOrDefault("TRUSTGATE_JDK25", "/usr/lib/jvm/temurin-25-jdk-amd64"))
                .resolve("bin/java");
        if (!Files.isExecutable(java25) || !aotJar(appDir)) {
            return chart;
        }
        Path cache = work.resolve("trustgate.aot");
        List<String> cmd = new ArrayList<>(List.of(
                repo.resolve("scripts/train-aot-cache.sh").toString(),
                java25.toString(),
                appDir.toString(),
                cache.toString()));
        cmd.addAll(chart.options());
        cmd.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        Proc.Result r = Proc.cmd(cmd).timeout(Duration.ofMinutes(5)).runAllowingFailure();
        if (r.exitCode() != 0 || !Files.isRegularFile(cache)) {
            throw new IllegalStateException("scripts/train-aot-cache.sh failed:\n" + r.stderr());
        }
        List<String> options = new ArrayList<>(chart.options());
        options.add("-XX:AOTCache=" + cache);
        // The image sets TRUSTGATE_WARMUP=0s beside its cache (scripts/image-aot-cache.sh), as make run does on JDK 25:
        // the same setting, as a system property (MicroProfile Config reads both), so the bench runs what they run.
        if (System.getenv("TRUSTGATE_WARMUP") == null) {
            options.add("-Dtrustgate.warmup=0s");
        }
        return new JvmConfig(
                "chart",
                java25.toString(),
                List.copyOf(options),
                chart.description() + "; JDK 25 with the AOT cache of scripts/train-aot-cache.sh, as the image");
    }

    /** Whether a quarkus-app directory is packaged as aot-jar (every class on the JDK's class path). */
    static boolean aotJar(Path appDir) {
        try (JarFile jar = new JarFile(appDir.resolve("quarkus-run.jar").toFile())) {
            Manifest m = jar.getManifest();
            return m != null
                    && "io.quarkus.bootstrap.runner.AotQuarkusEntryPoint"
                            .equals(m.getMainAttributes().getValue("Main-Class"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The same configuration with other options added (later options win). */
    JvmConfig with(String otherName, String otherDescription, List<String> more) {
        List<String> all = new ArrayList<>(options);
        all.addAll(more);
        return new JvmConfig(otherName, java, List.copyOf(all), otherDescription);
    }

    /** The same configuration without the options starting with one of {@code prefixes}. */
    JvmConfig without(String otherName, String otherDescription, String... prefixes) {
        List<String> kept = new ArrayList<>();
        for (String o : options) {
            boolean drop = false;
            for (String p : prefixes) {
                drop |= o.startsWith(p);
            }
            if (!drop) {
                kept.add(o);
            }
        }
        return new JvmConfig(otherName, java, List.copyOf(kept), otherDescription);
    }

    JvmConfig withJava(String otherJava) {
        return new JvmConfig(name, otherJava, options, description);
    }

    /**
     * {@code javaToolOptions} as the JVM sees it in a container with these limits: RAM percentages become sizes of
     * the memory limit (explicit {@code -Xmx}/{@code -Xms} in the options win, as in the JVM), the CPU limit becomes
     * {@code -XX:ActiveProcessorCount} (rounded up).
     */
    static List<String> containerEquivalent(String toolOptions, String memoryLimit, String cpuLimit) {
        List<String> options = new ArrayList<>();
        double maxPercent = 25; // the JVM's defaults
        double initialPercent = 1.5625;
        boolean xmx = false;
        boolean xms = false;
        for (String o : toolOptions.strip().split("\\s+")) {
            if (o.isEmpty()) {
                continue;
            }
            Matcher m = PERCENT.matcher(o);
            if (m.matches()) {
                if (m.group(1).equals("Max")) {
                    maxPercent = Double.parseDouble(m.group(2));
                } else {
                    initialPercent = Double.parseDouble(m.group(2));
                }
                continue;
            }
            xmx |= o.startsWith("-Xmx") || o.startsWith("-XX:MaxHeapSize=");
            xms |= o.startsWith("-Xms") || o.startsWith("-XX:InitialHeapSize=");
            options.add(o);
        }
        if (!memoryLimit.isBlank()) {
            long limit = bytes(memoryLimit);
            if (!xmx) {
                options.add("-Xmx" + (long) (limit * maxPercent / 100) / (1024 * 1024) + "m");
            }
            if (!xms) {
                options.add("-Xms" + Math.max(8, (long) (limit * initialPercent / 100) / (1024 * 1024)) + "m");
            }
        }
        if (!cpuLimit.isBlank() && options.stream().noneMatch(o -> o.startsWith("-XX:ActiveProcessorCount="))) {
            options.add("-XX:ActiveProcessorCount=" + cpus(cpuLimit));
        }
        return List.copyOf(options);
    }

    /** A Kubernetes memory quantity ({@code 256Mi}, {@code 1G}, {@code 300000000}) in bytes. */
    static long bytes(String quantity) {
        Matcher m = QUANTITY.matcher(quantity.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a memory quantity: " + quantity);
        }
        BigDecimal n = new BigDecimal(m.group(1));
        long unit = switch (m.group(2)) {
            case "" -> 1L;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "k" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> throw new IllegalArgumentException("unknown unit in " + quantity);
        };
        return n.multiply(BigDecimal.valueOf(unit)).longValue();
    }

    /** A Kubernetes CPU quantity ({@code 1}, {@code 500m}, {@code 1.5}) rounded up to whole processors. */
    static int cpus(String quantity) {
        String q = quantity.strip();
        BigDecimal n =
                q.endsWith("m") ? new BigDecimal(q.substring(0, q.length() - 1)).movePointLeft(3) : new BigDecimal(q);
        return Math.max(1, n.setScale(0, RoundingMode.CEILING).intValue());
    }

    /** The command line up to the main jar or class: java and the options. */
    List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(options);
        return cmd;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s)", name, String.join(" ", options));
    }
}
