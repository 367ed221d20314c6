package io.trustgate.webhook;

import io.quarkus.runtime.StartupEvent;
import io.trustgate.config.Setting;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.runtime.Warmup;
import io.trustgate.runtime.WarmupGate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Starts the warm-up ({@link Warmup}, {@code TRUSTGATE_WARMUP}) at start-up and holds readiness until it has
 * finished or its budget has passed. It shares nothing with the webhook's verifier stack.
 */
@Readiness
@ApplicationScoped
public class WarmupReadiness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(WarmupReadiness.class);

    @Inject
    TrustgateSettings settings;

    private volatile WarmupGate gate;

    void start(@Observes StartupEvent event) {
        Duration budget = (Duration) settings.value(Setting.WARMUP).orElseThrow();
        gate = WarmupGate.start(budget, b -> Warmup.load().run(b));
        var unused = gate.result().whenComplete((r, e) -> {
            if (e != null) {
                LOG.warnf("warm-up failed (readiness does not wait for it): %s", e.toString());
            } else if (!r.failures().isEmpty()) {
                LOG.warnf(
                        "warm-up: %d of %d rounds failed, the review path may be broken: %s",
                        r.rounds() - r.admitted() / 2, r.rounds(), r.failures());
            } else if (r.rounds() > 0) {
                LOG.infof(
                        "warm-up: %d reviews admitted in %d ms",
                        r.admitted(), r.took().toMillis());
            }
        });
    }

    @Override
    public HealthCheckResponse call() {
        WarmupGate g = gate;
        return HealthCheckResponse.named("warmup").status(g != null && g.done()).build();
    }
}
