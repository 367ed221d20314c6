package io.trustgate.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.trustgate.cache.Caffeines;
import io.trustgate.notary.RoleExpiry;
import io.trustgate.notary.TrustedRepository;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code trustgate_notary_expiry_timestamp_seconds{gun, role}}: when each role of each verified repository
 * expires, so admins can alert and renew before pods stop starting.
 *
 * <p>Gauges are kept for at most {@link #MAX_REPOSITORIES} repositories (Caffeine's size bound: those verified
 * often and lately stay); a repository evicted takes its gauges out of the registry, so neither memory nor the
 * size of a scrape grows with every repository a cluster ever ran. It gets them back at its next verification.
 */
final class ExpiryGauges implements Consumer<TrustedRepository> {

    /** Repositories with gauges at most. */
    static final int MAX_REPOSITORIES = 1_000;

    private record RoleGauge(AtomicLong expires, Gauge gauge) {}

    private final MeterRegistry registry;
    private final Cache<String, Map<String, RoleGauge>> repositories;

    ExpiryGauges(MeterRegistry registry) {
        this(registry, MAX_REPOSITORIES);
    }

    ExpiryGauges(MeterRegistry registry, int maxRepositories) {
        this.registry = registry;
        this.repositories = Caffeines.newBuilder()
                .maximumSize(maxRepositories)
                .<String, Map<String, RoleGauge>>removalListener((gun, gauges, cause) -> {
                    if (cause != RemovalCause.REPLACED && gauges != null) {
                        gauges.values().forEach(g -> registry.remove(g.gauge()));
                    }
                })
                .build();
    }

    @Override
    public void accept(TrustedRepository repository) {
        String gun = repository.gun();
        repositories.asMap().compute(gun, (key, previous) -> {
            // Roles missing from this update keep their gauges: a delegation left out because it expired must
            // still show its expiry to the alert that watches it.
            Map<String, RoleGauge> next = previous == null ? new HashMap<>() : new HashMap<>(previous);
            for (RoleExpiry e : repository.expiries()) {
                next.computeIfAbsent(e.role(), role -> register(gun, role))
                        .expires()
                        .set(e.expires().getEpochSecond());
            }
            return next;
        });
    }

    private RoleGauge register(String gun, String role) {
        AtomicLong expires = new AtomicLong();
        Gauge gauge = Gauge.builder("trustgate.notary.expiry.timestamp.seconds", expires, AtomicLong::doubleValue)
                .description("When Notary trust data of a repository role expires (Unix seconds)")
                .tag("gun", gun)
                .tag("role", role)
                .register(registry);
        return new RoleGauge(expires, gauge);
    }

    /** Finishes pending evictions (tests). */
    void cleanUp() {
        repositories.cleanUp();
    }
}
