package io.trustgate.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import io.trustgate.admission.AdmissionListener;
import io.trustgate.cache.Caffeines;
import io.trustgate.k8s.ClusterEvents;
import io.trustgate.policy.Mode;
import io.trustgate.policy.PolicyId;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.PolicyVerdict;
import java.time.Duration;

/**
 * An Event on the policy for each Audit-mode violation at admission, once per policy, namespace and image
 * digest per {@link #WINDOW}: a storm of reviews of one bad image writes one Event, and the bounded memory of
 * what was reported ({@link #MAX_REMEMBERED}) and {@link ClusterEvents}' bounded queue keep a storm of different
 * images from growing anything.
 */
final class AuditEvents implements AdmissionListener {

    /** One Event per policy, namespace and digest per this window. */
    static final Duration WINDOW = Duration.ofHours(1);
    /** Violations remembered for deduplication. */
    static final long MAX_REMEMBERED = 10_000;

    private final ClusterEvents events;
    private final Cache<String, Boolean> reported = Caffeines.newBuilder()
            .maximumSize(MAX_REMEMBERED)
            .expireAfterWrite(WINDOW)
            .build();

    AuditEvents(ClusterEvents events) {
        this.events = events;
    }

    @Override
    public void unsatisfied(String namespace, ImageVerdict image, PolicyVerdict verdict) {
        if (verdict.policy().mode() != Mode.Audit) {
            return;
        }
        PolicyId id = verdict.policy().id();
        String key = id + "\u0000" + namespace + "\u0000" + image.image() + "\u0000" + image.digest();
        if (reported.asMap().putIfAbsent(key, Boolean.TRUE) != null) {
            return;
        }
        events.warning(
                ClusterEvents.about(
                        "trustgate.io/v1alpha1",
                        id.kind().name(),
                        id.namespace(),
                        id.name(),
                        verdict.policy().uid()),
                "AuditViolation",
                "admitted in namespace " + namespace + " (Audit mode): "
                        + io.trustgate.admission.Messages.unsatisfied(image, verdict));
    }
}
