package io.trustgate.bench;

import com.sun.management.OperatingSystemMXBean;
import io.trustgate.notary.RepoBuilder;
import io.trustgate.tuf.Limits;
import io.trustgate.tuf.RootPins;
import io.trustgate.tuf.TrustedMetadataSet;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The verification CPU of a first Notary update, without the network: N repositories (each its own GUN, root
 * certificate and role keys, as {@code notary init} makes them) verified one after the other by
 * {@link TrustedMetadataSet} (pinned root, timestamp, snapshot, targets) in a JVM that has verified nothing
 * before. Reports this thread's CPU and the process' (which adds the JIT compiling the verification code) per
 * update, for the first updates and for later ones, so a change to the verification shows apart from the noise of
 * the whole webhook.
 *
 * <pre>{@code
 * java -cp ... io.trustgate.bench.TufColdCpu write target/tuf-cold 300   # makes the repositories (signs them)
 * java -cp ... io.trustgate.bench.TufColdCpu measure target/tuf-cold     # a fresh JVM verifies them
 * }</pre>
 */
public final class TufColdCpu {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final String[] ROLES = {"root", "timestamp", "snapshot", "targets"};

    private TufColdCpu() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[1]);
        if (args[0].equals("write")) {
            int n = Integer.parseInt(args[2]);
            for (int i = 0; i < n; i++) {
                String gun = "bench.example/cold/app-" + i;
                RepoBuilder repo = new RepoBuilder(gun, NOW);
                repo.targets.put("1.0", String.format(Locale.ROOT, "%064x", i));
                Map<String, byte[]> files = repo.build();
                Path d = Files.createDirectories(dir.resolve(String.valueOf(i)));
                Files.writeString(d.resolve("gun"), gun);
                Files.writeString(d.resolve("pin"), repo.rootKey.publicPem());
                for (String role : ROLES) {
                    Files.write(d.resolve(role + ".json"), files.get(role));
                }
            }
            return;
        }
        List<Map<String, byte[]>> repos = new ArrayList<>();
        List<String[]> names = new ArrayList<>();
        for (int i = 0; Files.isDirectory(dir.resolve(String.valueOf(i))); i++) {
            Path d = dir.resolve(String.valueOf(i));
            Map<String, byte[]> files = new LinkedHashMap<>();
            for (String role : ROLES) {
                files.put(role, Files.readAllBytes(d.resolve(role + ".json")));
            }
            repos.add(files);
            names.add(new String[] {Files.readString(d.resolve("gun")), Files.readString(d.resolve("pin"))});
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int[] marks = {1, 10, 50, 100, 200, repos.size()};
        long thread0 = threads.getCurrentThreadCpuTime();
        long process0 = os.getProcessCpuTime();
        long threadLast = thread0;
        long processLast = process0;
        int last = 0;
        int checks = 0;
        StringBuilder out =
                new StringBuilder("| updates | this thread CPU/update | process CPU/update (+ JIT) |\n|---|---|---|\n");
        for (int i = 0; i < repos.size(); i++) {
            Map<String, byte[]> files = repos.get(i);
            TrustedMetadataSet set = TrustedMetadataSet.fromPinnedRoot(
                    names.get(i)[0], files.get("root"), RootPins.of(names.get(i)[1]), NOW, Limits.DEFAULT, Map.of());
            set.updateTimestamp(files.get("timestamp"));
            set.updateSnapshot(files.get("snapshot"));
            set.updateTargets(files.get("targets"));
            checks += set.signatureChecks();
            int done = i + 1;
            for (int m : marks) {
                if (done == m && done > last) {
                    long t = threads.getCurrentThreadCpuTime();
                    long p = os.getProcessCpuTime();
                    out.append(String.format(
                            Locale.ROOT,
                            "| %d-%d | %.2f ms | %.2f ms |%n",
                            last + 1,
                            done,
                            (t - threadLast) / 1e6 / (done - last),
                            (p - processLast) / 1e6 / (done - last)));
                    threadLast = t;
                    processLast = p;
                    last = done;
                }
            }
        }
        out.append(String.format(
                Locale.ROOT,
                "| all %d | %.2f ms | %.2f ms |%n%.1f signature checks per update%n",
                repos.size(),
                (threadLast - thread0) / 1e6 / repos.size(),
                (processLast - process0) / 1e6 / repos.size(),
                checks / (double) repos.size()));
        System.out.print(out);
    }
}
