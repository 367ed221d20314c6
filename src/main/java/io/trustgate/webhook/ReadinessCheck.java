package io.trustgate.webhook;

import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once policies are loaded: before that every review would be answered wrongly. */
@Readiness
public class ReadinessCheck implements HealthCheck {

    @Inject
    PolicyStore store;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("policies")
                .status(store.loaded())
                .withData("policies", store.get().policies().size())
                .withData("broken", store.get().broken().size());
        if (store.lastError() != null) {
            builder.withData("error", store.lastError());
        }
        return builder.build();
    }
}
