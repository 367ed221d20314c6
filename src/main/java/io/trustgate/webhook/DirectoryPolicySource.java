package io.trustgate.webhook;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.trustgate.k8s.PolicyCompiler;
import io.trustgate.k8s.PolicyDirectory;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.PolicySet;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** Feeds the policy store from {@code TRUSTGATE_POLICIES_DIR}, re-reading it when its files change. */
@ApplicationScoped
public class DirectoryPolicySource {

    private static final Logger LOG = Logger.getLogger(DirectoryPolicySource.class);

    @Inject
    TrustgateConfig config;

    @Inject
    PolicyStore store;

    @Inject
    PolicyCompiler.KeyCheck keyCheck;

    private ScheduledExecutorService poller;
    private PolicyDirectory directory;
    private String fingerprint;

    void start(@Observes StartupEvent event) {
        if (config.policiesDir().isEmpty()) {
            return;
        }
        directory = new PolicyDirectory(Path.of(config.policiesDir().get()), config.namespace(), keyCheck);
        reload();
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trustgate-policy-dir");
            t.setDaemon(true);
            return t;
        });
        long ms = config.policiesReload().toMillis();
        poller.scheduleWithFixedDelay(this::reload, ms, ms, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    synchronized void reload() {
        try {
            String now = directory.fingerprint();
            if (now.equals(fingerprint)) {
                return;
            }
            PolicySet set = directory.load();
            fingerprint = now;
            store.set(set);
            LOG.infof("loaded %d policies from %s", set.policies().size(), config.policiesDir().get());
            for (BrokenPolicy b : set.broken()) {
                LOG.errorf("policy %s is broken and denies the images it claims: %s", b.id(), b.error());
            }
        } catch (Exception e) {
            // Keep the last good set; readiness reports the error.
            store.failed(e.getMessage());
            LOG.errorf("cannot read policy directory: %s", e.getMessage());
        }
    }
}
