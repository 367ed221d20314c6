package io.trustgate.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trustgate.admission.AdmissionListener;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.PolicyVerdict;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** Turns decisions into metrics and log lines; Audit-mode findings are logged here, once. */
public class MetricsListener implements AdmissionListener {

    private static final Logger LOG = Logger.getLogger("io.trustgate.audit");

    private final MeterRegistry registry;
    private final Timer allowedTimer;
    private final Timer deniedTimer;
    private final java.util.Map<String, Counter> denials = new java.util.concurrent.ConcurrentHashMap<>();

    public MetricsListener(MeterRegistry registry) {
        this.registry = registry;
        this.allowedTimer = reviewTimer(registry, "allowed");
        this.deniedTimer = reviewTimer(registry, "denied");
    }

    private static Timer reviewTimer(MeterRegistry registry, String verdict) {
        return Timer.builder("trustgate.review.duration")
                .description("Time trustgate spent on one AdmissionReview, by verdict")
                .tag("verdict", verdict)
                .publishPercentileHistogram()
                .register(registry);
    }

    @Override
    public void unsatisfied(String namespace, ImageVerdict image, PolicyVerdict verdict) {
        Counter.builder("trustgate.policy.unsatisfied")
                .description("Images that did not satisfy a policy, by policy and mode")
                .tag("policy", verdict.policy().id().toString())
                .tag("mode", verdict.policy().mode().name())
                .register(registry)
                .increment();
        LOG.infof(
                "%s namespace=%s image=%s digest=%s policy=%s found=%s missing=%s problems=%s",
                verdict.policy().mode(),
                namespace,
                image.image(),
                image.digest(),
                verdict.policy().id(),
                verdict.outcome().found(),
                verdict.outcome().missing(),
                verdict.findings().problems());
    }

    @Override
    public void broken(
            String namespace, io.trustgate.image.ImageReference image, io.trustgate.policy.BrokenPolicy policy) {
        Counter.builder("trustgate.policy.unsatisfied")
                .description("Images that did not satisfy a policy, by policy and mode")
                .tag("policy", policy.id().toString())
                .tag("mode", policy.mode().name())
                .register(registry)
                .increment();
        LOG.infof(
                "%s namespace=%s image=%s policy=%s broken=%s",
                policy.mode(), namespace, image, policy.id(), policy.error());
    }

    @Override
    public void exempted(
            String namespace,
            io.trustgate.image.ImageReference image,
            io.trustgate.policy.Policy policy,
            io.trustgate.policy.Exemption exemption) {
        // One series per exception and policy: bounded by the TrustExceptions that exist.
        Counter.builder("trustgate.exception.admissions")
                .description("Images admitted without a policy's check because a TrustException waived it")
                .tag("exception", exemption.ref())
                .tag("policy", policy.id().toString())
                .register(registry)
                .increment();
        LOG.infof(
                "Exempted namespace=%s image=%s policy=%s exception=%s expires=%s",
                namespace, image, policy.id(), exemption.ref(), exemption.expires());
    }

    @Override
    public void decided(boolean allowed, String reason, long nanos) {
        (allowed ? allowedTimer : deniedTimer).record(nanos, TimeUnit.NANOSECONDS);
        if (!allowed) {
            denials.computeIfAbsent(
                            reason,
                            r -> Counter.builder("trustgate.review.denied")
                                    .description("Denied reviews by reason")
                                    .tag("reason", r)
                                    .register(registry))
                    .increment();
        }
    }
}
