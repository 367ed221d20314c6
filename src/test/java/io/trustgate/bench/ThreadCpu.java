package io.trustgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of each thread of a process, from {@code /proc/PID/task/TID/schedstat} (nanoseconds on a CPU, not
 * the 10 ms ticks of {@code stat}), grouped by what the thread does: the JIT compilers, the VM thread (which
 * runs the serial GC's pauses), Vert.x event loops, the crypto pool, and the rest. Tells the CPU a cold review
 * costs in its own work from what the JVM spends compiling the code it runs for the first time.
 */
final class ThreadCpu {

    private ThreadCpu() {}

    /** Thread id -> (group, ns on a CPU so far). */
    record Sample(Map<Long, String> groups, Map<Long, Long> nanos) {

        /** Nanoseconds per group between {@code before} and this sample (threads that ended are not counted). */
        Map<String, Long> minus(Sample before) {
            Map<String, Long> out = new TreeMap<>();
            nanos.forEach((tid, ns) -> out.merge(groups.get(tid), ns - before.nanos.getOrDefault(tid, 0L), Long::sum));
            return out;
        }
    }

    static Sample sample(long pid) {
        Map<Long, String> groups = new HashMap<>();
        Map<Long, Long> nanos = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    long tid = Long.parseLong(task.getFileName().toString());
                    String comm = Files.readString(task.resolve("comm")).strip();
                    long ns = Long.parseLong(
                            Files.readString(task.resolve("schedstat")).split(" ")[0]);
                    groups.put(tid, group(comm));
                    nanos.put(tid, ns);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the threads of " + pid, e);
        }
        return new Sample(groups, nanos);
    }

    /** The group of a thread by its name as Linux has it (at most 15 characters). */
    static String group(String comm) {
        if (comm.startsWith("C2 Compiler")) {
            return "JIT C2";
        }
        if (comm.startsWith("C1 Compiler")) {
            return "JIT C1";
        }
        if (comm.equals("VM Thread") || comm.startsWith("GC ") || comm.startsWith("G1 ")) {
            return "VM thread / GC";
        }
        if (comm.startsWith("vert.x-eventloo")) {
            return "vert.x event loops";
        }
        if (comm.startsWith("trustgate-crypt")) {
            return "trustgate-crypto";
        }
        if (comm.startsWith("executor-thread") || comm.startsWith("vert.x-worker")) {
            return "worker pool";
        }
        return "other (" + comm.replaceAll("[0-9#-]+$", "") + ")";
    }
}
