package io.trustgate.webhook;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.trustgate.notary.RoleExpiry;
import io.trustgate.notary.TrustedRepository;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code trustgate_notary_expiry_timestamp_seconds{gun, role}}: when each role of each verified repository
 * expires, so admins can alert and renew before pods stop starting.
 */
final class ExpiryGauges implements Consumer<TrustedRepository> {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> expiries = new ConcurrentHashMap<>();

    ExpiryGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void accept(TrustedRepository repository) {
        for (RoleExpiry e : repository.expiries()) {
            AtomicLong value = expiries.computeIfAbsent(repository.gun() + "|" + e.role(), k -> {
                AtomicLong v = new AtomicLong();
                Gauge.builder("trustgate.notary.expiry.timestamp.seconds", v, AtomicLong::doubleValue)
                        .description("When Notary trust data of a repository role expires (Unix seconds)")
                        .tag("gun", repository.gun())
                        .tag("role", e.role())
                        .register(registry);
                return v;
            });
            value.set(e.expires().getEpochSecond());
        }
    }
}
