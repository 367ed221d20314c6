package io.trustgate.bench;

import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * A trustgate JVM started for a benchmark, and what {@code /proc} says about a process: the one copy that
 * {@link Bench} and {@link WarmupBench} share.
 */
final class BenchProcess {

    /** Attempts at a free port before giving up (another process may take the port between pick and bind). */
    private static final int START_ATTEMPTS = 3;

    /** How long a started process has to answer ready. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private BenchProcess() {}

    /** A started process, the port it serves on and the seconds from its start to its first ready answer. */
    record Launched(PeerProcess process, int port, double readySeconds) {}

    /**
     * Starts {@code cmd} on a free port ({@code QUARKUS_HTTP_SSL_PORT} added to a copy of {@code env}) and waits
     * until {@code ready} answers true for that port; tries {@value #START_ATTEMPTS} ports.
     *
     * @param name the process' name; its log is {@code work/<logTag>-<port>.log}
     * @param dir the process' working directory
     * @throws IllegalStateException of the last attempt, with the tail of its log
     */
    static Launched start(
            String name,
            String logTag,
            List<String> cmd,
            Map<String, String> env,
            Path dir,
            Path work,
            IntPredicate ready) {
        RuntimeException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            int port = Ports.free();
            Map<String, String> withPort = new LinkedHashMap<>(env);
            withPort.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(port));
            long t0 = System.nanoTime();
            PeerProcess process =
                    PeerProcess.start(name, cmd, withPort, dir, work.resolve(logTag + "-" + port + ".log"));
            try {
                process.awaitReady(READY_TIMEOUT, () -> ready.test(port));
                return new Launched(process, port, (System.nanoTime() - t0) / 1e9);
            } catch (IllegalStateException e) {
                last = new IllegalStateException(e.getMessage() + "\n" + process.tail(), e);
                process.stop();
            }
        }
        throw last;
    }

    /** Samples VmRSS of a process twice a second until stopped; answers the highest sample. */
    static final class RssSampler {
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long max;
        private volatile long anonAtMax;
        private volatile long fileAtMax;

        RssSampler(long pid, String threadName) {
            thread = new Thread(
                    () -> {
                        while (running) {
                            long rss = procStatus(pid, "VmRSS");
                            if (rss > max) {
                                max = rss;
                                anonAtMax = procStatus(pid, "RssAnon");
                                fileAtMax = procStatus(pid, "RssFile");
                            }
                            try {
                                Thread.sleep(500);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    threadName);
            thread.setDaemon(true);
            thread.start();
        }

        long stop() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join();
            return max;
        }

        /** RssAnon (heap, metaspace, code, stacks, malloc) at the highest VmRSS sample, KiB. */
        long anonAtMax() {
            return anonAtMax;
        }

        /** RssFile (mapped files: the AOT cache or CDS archive, the JDK's modules, jars) at that sample, KiB. */
        long fileAtMax() {
            return fileAtMax;
        }
    }

    /** User + system CPU seconds a process has used so far (/proc/PID/stat, 100 ticks a second). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** A field of /proc/PID/status in KiB ({@code VmRSS}, {@code VmHWM}); 0 when unreadable. */
    static long procStatus(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** The machine's 1, 5 and 15 minute load averages, {@code ?} when unreadable. */
    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ", -1);
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
