package io.trustgate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trustgate.notary.RoleExpiry;
import io.trustgate.notary.TrustedRepository;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExpiryGaugesTest {

    @Test
    @DisplayName("each role's expiry is a gauge per GUN and role, updated when the trust data is renewed")
    void gaugePerRole() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ExpiryGauges gauges = new ExpiryGauges(registry);
        Instant now = Instant.parse("2026-11-23T00:00:00Z");
        Instant ts = Instant.parse("2026-11-30T00:00:00Z");
        gauges.accept(new TrustedRepository(
                "r.example.com/app",
                now,
                List.of(),
                List.of(
                        new RoleExpiry("timestamp", ts),
                        new RoleExpiry("targets/releases", Instant.parse("2027-11-23T00:00:00Z"))),
                ts));
        assertThat(registry.get("trustgate.notary.expiry.timestamp.seconds")
                        .tag("gun", "r.example.com/app")
                        .tag("role", "timestamp")
                        .gauge()
                        .value())
                .isEqualTo((double) ts.getEpochSecond());
        Instant renewed = Instant.parse("2026-12-07T00:00:00Z");
        gauges.accept(new TrustedRepository(
                "r.example.com/app", now, List.of(), List.of(new RoleExpiry("timestamp", renewed)), renewed));
        assertThat(registry.get("trustgate.notary.expiry.timestamp.seconds")
                        .tag("role", "timestamp")
                        .gauge()
                        .value())
                .isEqualTo((double) renewed.getEpochSecond());
        assertThat(registry.get("trustgate.notary.expiry.timestamp.seconds").gauges())
                .hasSize(2);
    }

    @Test
    @DisplayName("gauges are kept for the repositories verified most recently; one that falls out leaves the registry")
    void boundedByRepository() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ExpiryGauges gauges = new ExpiryGauges(registry, 3);
        Instant now = Instant.parse("2026-11-23T00:00:00Z");
        for (int i = 0; i < 10; i++) {
            gauges.accept(new TrustedRepository(
                    "r.example.com/app-" + i,
                    now,
                    List.of(),
                    List.of(new RoleExpiry("timestamp", now.plusSeconds(i)), new RoleExpiry("targets", now)),
                    now));
        }
        gauges.cleanUp();

        Map<String, Long> gaugesPerRepository =
                registry.find("trustgate.notary.expiry.timestamp.seconds").gauges().stream()
                        .collect(Collectors.groupingBy(g -> g.getId().getTag("gun"), Collectors.counting()));
        assertThat(gaugesPerRepository)
                .as("three repositories keep both their gauges; the other seven have none")
                .hasSize(3)
                .allSatisfy((gun, count) -> assertThat(count).isEqualTo(2L));
    }
}
