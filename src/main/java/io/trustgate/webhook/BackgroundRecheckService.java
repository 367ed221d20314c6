package io.trustgate.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.trustgate.admission.PullCredentials;
import io.trustgate.config.Setting;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.k8s.BackgroundRecheck;
import io.trustgate.k8s.ClusterEvents;
import io.trustgate.recheck.Exemptions;
import io.trustgate.recheck.Recheck;
import io.trustgate.verify.ImageVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Starts the background recheck of running Pods in cluster mode (not with {@code TRUSTGATE_POLICIES_DIR}, and not
 * with {@code TRUSTGATE_RECHECK_INTERVAL=0s}), with the admission's own verifier, credentials and policies.
 */
@ApplicationScoped
public class BackgroundRecheckService {

    private static final Logger LOG = Logger.getLogger(BackgroundRecheckService.class);

    @Inject
    TrustgateSettings settings;

    @Inject
    PolicyStore store;

    @Inject
    PolicySources sources;

    @Inject
    ImageVerifier verifier;

    @Inject
    PullCredentials credentials;

    @Inject
    Instance<KubernetesClient> kubernetes;

    @Inject
    Instance<ClusterEvents> events;

    @Inject
    Exemptions exemptions;

    @Inject
    MeterRegistry metrics;

    private BackgroundRecheck recheck;

    void start(@Observes StartupEvent event) {
        Duration interval = (Duration) settings.value(Setting.RECHECK_INTERVAL).orElseThrow();
        if (settings.policies().dir().isPresent() || interval.isZero()) {
            LOG.debug("no background recheck (directory mode, or TRUSTGATE_RECHECK_INTERVAL=0s)");
            return;
        }
        RecheckMetrics meters = new RecheckMetrics(metrics);
        Recheck scan = new Recheck(store::get, sources, credentials, verifier, exemptions, Clock.systemUTC(), (Long)
                settings.value(Setting.RECHECK_RATE).orElseThrow());
        recheck = new BackgroundRecheck(
                kubernetes.get(),
                new BackgroundRecheck.Settings(
                        settings.policies().namespace(),
                        (String) settings.value(Setting.RECHECK_LEASE).orElseThrow(),
                        Wiring.instanceName(),
                        interval,
                        (Boolean) settings.value(Setting.REPORTS).orElseThrow()),
                scan,
                store::get,
                events.get(),
                meters,
                meters::leading,
                sources::setExceptionPods,
                Clock.systemUTC());
        recheck.start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (recheck != null) {
            recheck.close();
        }
    }
}
