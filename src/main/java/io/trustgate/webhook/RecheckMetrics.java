package io.trustgate.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.trustgate.recheck.Recheck;
import io.trustgate.recheck.RecheckResult;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The background recheck's metrics: running workloads by verdict per policy
 * ({@code trustgate_running_workloads{policy,verdict}}), the earliest expiry of the trust data behind a running
 * image's verdict, rechecks done, and whether this replica is the one that rechecks. Only the leading replica
 * has values for the first two; dashboards and alerts take the max over replicas.
 */
final class RecheckMetrics implements Consumer<Recheck.Scan> {

    private final MultiGauge workloads;
    private final AtomicLong earliestExpiry = new AtomicLong();
    private final AtomicLong lastScan = new AtomicLong();
    private final AtomicLong leading = new AtomicLong();
    private final Counter scans;

    RecheckMetrics(MeterRegistry registry) {
        workloads = MultiGauge.builder("trustgate.running.workloads")
                .description("Running workloads (Pod controllers, or bare Pods) by policy and recheck verdict")
                .register(registry);
        Gauge.builder("trustgate.running.trust.expiry.timestamp.seconds", earliestExpiry, AtomicLong::doubleValue)
                .strongReference(true)
                .description(
                        "Earliest expiry (Unix time) of the trust data behind a running image's verdict; 0 if none")
                .register(registry);
        Gauge.builder("trustgate.recheck.last.timestamp.seconds", lastScan, AtomicLong::doubleValue)
                .strongReference(true)
                .description("When this replica last finished a recheck (Unix time); 0 if never")
                .register(registry);
        Gauge.builder("trustgate.recheck.leader", leading, AtomicLong::doubleValue)
                .strongReference(true)
                .description("1 while this replica holds the recheck Lease")
                .register(registry);
        scans = Counter.builder("trustgate.recheck.scans")
                .description("Rechecks of the running Pods this replica finished")
                .register(registry);
    }

    @Override
    public void accept(Recheck.Scan scan) {
        Map<List<String>, Set<String>> byPolicyVerdict = new HashMap<>();
        for (RecheckResult r : scan.results()) {
            byPolicyVerdict
                    .computeIfAbsent(List.of(r.policyName(), r.verdict().name()), k -> new HashSet<>())
                    .add(r.namespace() + "/" + r.workload());
        }
        workloads.register(
                byPolicyVerdict.entrySet().stream()
                        .map(e -> MultiGauge.Row.of(
                                Tags.of(
                                        "policy",
                                        e.getKey().get(0),
                                        "verdict",
                                        e.getKey().get(1)),
                                e.getValue().size()))
                        .toList(),
                true);
        earliestExpiry.set(
                scan.earliestExpiry() == null ? 0 : scan.earliestExpiry().getEpochSecond());
        lastScan.set(scan.at().getEpochSecond());
        scans.increment();
    }

    void leading(boolean now) {
        leading.set(now ? 1 : 0);
        if (!now) {
            workloads.register(List.of(), true); // another replica reports them now
        }
    }
}
