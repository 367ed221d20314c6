package io.trustgate.webhook;

import io.trustgate.k8s.ConfigMapVersionStore;
import io.trustgate.notary.VersionStore;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once the shared Notary rollback state has been read: a replica that judged before would accept
 * trust data older than what another replica (or this one, before a restart) already trusted.
 */
@Readiness
public class StateReadiness implements HealthCheck {

    @Inject
    VersionStore versions;

    @Override
    public HealthCheckResponse call() {
        boolean loaded = !(versions instanceof ConfigMapVersionStore c) || c.loaded();
        return HealthCheckResponse.named("notary-versions").status(loaded).build();
    }
}
