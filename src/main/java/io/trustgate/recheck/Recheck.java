package io.trustgate.recheck;

import io.trustgate.admission.Messages;
import io.trustgate.admission.NamespaceLabels;
import io.trustgate.admission.PodTemplate;
import io.trustgate.admission.PullCredentials;
import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.Mode;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicySet;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.PolicyVerdict;
import io.trustgate.verify.Progress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One pass over the running Pods: every distinct image digest is verified once against the policies that
 * govern it where it runs, through the same {@link ImageVerifier} (and so the same caches and single flight)
 * as admission, at most {@code rate} verifications started per second; then each workload's images get one
 * {@link RecheckResult} per policy. It only reads and reports: nothing is deleted or evicted.
 *
 * <p>{@link #scan} blocks its caller (the recheck's own thread) while it paces and waits; it is never called
 * on an I/O thread, and admission never waits for it.
 */
public final class Recheck {

    /** Most distinct (image, policies) checks in one recheck; the rest are reported as {@code error}. */
    public static final int MAX_DISTINCT_IMAGES = 10_000;
    /** Most Pod names kept per result (for Events); the count of Pods is not bounded by it. */
    public static final int MAX_PODS_PER_RESULT = 5;
    /** The message of an image no policy governs, in a namespace some policy selects. */
    public static final String UNGOVERNED_MESSAGE = "no policy governs this image: trustgate did not verify it (no"
            + " network call is made for an image no policy governs); TRUSTGATE_UNMATCHED decides whether new Pods"
            + " may run it";
    /** Budget of one image's check within a recheck: a check not done by then is judged without the answers. */
    public static final Duration IMAGE_BUDGET = Duration.ofSeconds(60);

    private final Supplier<PolicySet> policies;
    private final NamespaceLabels namespaces;
    private final PullCredentials credentials;
    private final ImageVerifier verifier;
    private final Exemptions exemptions;
    private final Clock clock;
    private final long nanosPerCheck;

    /**
     * @param rate most image verifications started per second
     */
    public Recheck(
            Supplier<PolicySet> policies,
            NamespaceLabels namespaces,
            PullCredentials credentials,
            ImageVerifier verifier,
            Exemptions exemptions,
            Clock clock,
            long rate) {
        if (rate < 1) {
            throw new IllegalArgumentException("rate must be at least 1 per second");
        }
        this.policies = policies;
        this.namespaces = namespaces;
        this.credentials = credentials;
        this.verifier = verifier;
        this.exemptions = exemptions;
        this.clock = clock;
        this.nanosPerCheck = TimeUnit.SECONDS.toNanos(1) / rate;
    }

    /**
     * What one recheck found.
     *
     * @param at when it started (the time every result carries)
     * @param policySet the policies it checked against (a newer set means another recheck is due)
     * @param checks distinct (image digest, policies) checks it made: what its upstream cost is bounded by
     * @param earliestExpiry the earliest expiry of the trust data behind a verdict, or {@code null}: a recheck is
     *     due then
     * @param exemptedPods per TrustException that exempted a running image, how many running Pods rely on it (a Pod
     *     whose images it exempts from several policies counts once); an exception absent here exempts none
     */
    public record Scan(
            Instant at,
            PolicySet policySet,
            List<RecheckResult> results,
            int pods,
            int checks,
            Instant earliestExpiry,
            Map<ExceptionRef, Integer> exemptedPods) {
        public Scan {
            results = List.copyOf(results);
            exemptedPods = Map.copyOf(exemptedPods);
        }
    }

    /** A TrustException by namespace and name. */
    public record ExceptionRef(String namespace, String name) {}

    /** A distinct check: one image (pinned to its running digest where known) under one list of policies. */
    private record CheckKey(ImageReference image, List<Policy> policies) {}

    /**
     * Which policies govern one image in one namespace, and what to report for the broken ones; both lists empty
     * for an image no policy governs in a namespace some policy selects (reported, never checked).
     */
    private record Governed(ImageReference image, List<Policy> policies, List<BrokenPolicy> broken) {
        boolean ungoverned() {
            return policies.isEmpty() && broken.isEmpty();
        }
    }

    /** Results gathered per workload, image and policy before they are built. */
    private static final class Row {
        final String namespace;
        final RunningPod.Workload workload;
        final RunningPod.RunningImage image;
        final Governed governed;
        final List<String> pods = new ArrayList<>();
        /** Every Pod of the row, for counting the Pods that rely on an exception. */
        final java.util.Set<String> allPods = new java.util.HashSet<>();

        Row(String namespace, RunningPod.Workload workload, RunningPod.RunningImage image, Governed governed) {
            this.namespace = namespace;
            this.workload = workload;
            this.image = image;
            this.governed = governed;
        }
    }

    /** Rechecks {@code pods} against the current policies; blocks until every check is judged. */
    public Scan scan(Collection<RunningPod> pods) throws InterruptedException {
        Instant at = clock.instant();
        PolicySet set = policies.get();
        Map<String, Row> rows = new LinkedHashMap<>();
        Map<CheckKey, RunningPod> firstPod = new LinkedHashMap<>();
        for (RunningPod pod : pods) {
            Map<String, String> labels = namespaces.of(pod.namespace());
            for (RunningPod.RunningImage running : pod.images()) {
                Governed governed = govern(set, pod.namespace(), labels, running);
                if (governed == null) {
                    continue; // it does not parse, or runs where no policy selects the namespace: nothing to report
                }
                String rowKey = pod.namespace() + "\u0000" + pod.workload() + "\u0000" + running.written() + "\u0000"
                        + running.digest();
                Row row =
                        rows.computeIfAbsent(rowKey, k -> new Row(pod.namespace(), pod.workload(), running, governed));
                if (row.pods.size() < MAX_PODS_PER_RESULT) {
                    row.pods.add(pod.name());
                }
                row.allPods.add(pod.name());
                if (!governed.policies().isEmpty()) {
                    firstPod.putIfAbsent(new CheckKey(governed.image(), governed.policies()), pod);
                }
            }
        }
        Map<CheckKey, CompletableFuture<ImageVerdict>> checks = new LinkedHashMap<>();
        long next = System.nanoTime();
        for (Map.Entry<CheckKey, RunningPod> e : firstPod.entrySet()) {
            if (checks.size() >= MAX_DISTINCT_IMAGES) {
                break;
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            next = Math.max(next, System.nanoTime()) + nanosPerCheck;
            checks.put(e.getKey(), check(e.getKey(), e.getValue()));
        }
        List<RecheckResult> results = new ArrayList<>();
        Map<ExceptionRef, java.util.Set<String>> exempted = new LinkedHashMap<>();
        Instant earliest = null;
        for (Row row : rows.values()) {
            Governed g = row.governed;
            if (g.ungoverned()) {
                results.add(result(row, null, null, Verdict.skip, UNGOVERNED_MESSAGE));
                continue;
            }
            for (BrokenPolicy b : g.broken()) {
                results.add(result(
                        row,
                        b.id(),
                        b.mode(),
                        b.mode() == Mode.Warn ? Verdict.warn : Verdict.fail,
                        Messages.broken(g.image(), b)));
            }
            if (g.policies().isEmpty()) {
                continue;
            }
            CompletableFuture<ImageVerdict> f = checks.get(new CheckKey(g.image(), g.policies()));
            if (f == null) {
                for (Policy p : g.policies()) {
                    results.add(result(
                            row,
                            p.id(),
                            p.mode(),
                            Verdict.error,
                            "not checked: the recheck checks at most " + MAX_DISTINCT_IMAGES + " distinct images"));
                }
                continue;
            }
            ImageVerdict verdict = await(f, g);
            Instant expires = verdict.expiresAt();
            if (expires != null && (earliest == null || expires.isBefore(earliest))) {
                earliest = expires;
            }
            for (PolicyVerdict v : verdict.verdicts()) {
                results.add(judge(row, verdict, v, exempted));
            }
        }
        Map<ExceptionRef, Integer> exemptedPods = new LinkedHashMap<>();
        exempted.forEach((ref, names) -> exemptedPods.put(ref, names.size()));
        return new Scan(at, set, results, pods.size(), checks.size(), earliest, exemptedPods);
    }

    private Governed govern(
            PolicySet set, String namespace, Map<String, String> labels, RunningPod.RunningImage running) {
        ImageReference image;
        try {
            image = ImageReference.parse(running.written());
        } catch (InvalidImageReferenceException e) {
            return null;
        }
        PolicySet.Applicable applicable = set.applicable(namespace, labels, image);
        if (applicable.isEmpty()) {
            // Reported as such where some policy selects the namespace; never checked (no network call for it).
            return set.selects(namespace, labels) ? new Governed(image, List.of(), List.of()) : null;
        }
        if (running.digest() != null) {
            image = image.withDigest(running.digest());
        }
        return new Governed(image, applicable.policies(), applicable.broken());
    }

    private CompletableFuture<ImageVerdict> check(CheckKey key, RunningPod pod) {
        PodTemplate credentialsOf =
                new PodTemplate(List.of(), List.of(), pod.imagePullSecrets(), pod.serviceAccountName(), List.of());
        Progress progress = new Progress();
        return credentials
                .forRegistry(pod.namespace(), credentialsOf, key.image().host())
                .thenCompose(creds -> verifier.verify(key.image(), key.policies(), creds, progress))
                .completeOnTimeout(null, IMAGE_BUDGET.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(v -> v != null ? v : verifier.timedOut(key.image(), key.policies(), progress, IMAGE_BUDGET));
    }

    private ImageVerdict await(CompletableFuture<ImageVerdict> f, Governed g) throws InterruptedException {
        try {
            // The check has its own budget (IMAGE_BUDGET); this only guards against a future that never completes.
            return f.get(IMAGE_BUDGET.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return verifier.timedOut(g.image(), g.policies(), new Progress(), IMAGE_BUDGET);
        }
    }

    private RecheckResult judge(
            Row row, ImageVerdict image, PolicyVerdict v, Map<ExceptionRef, java.util.Set<String>> exempted) {
        Policy p = v.policy();
        if (v.satisfied()) {
            return result(row, p.id(), p.mode(), Verdict.pass, null);
        }
        if (v.findings().unavailable()) {
            return result(row, p.id(), p.mode(), Verdict.error, Messages.unsatisfied(image, v));
        }
        Optional<Exemptions.Exemption> exempt = exemptions.find(row.namespace, image.image(), p);
        if (exempt.isPresent()) {
            Exemptions.Exemption x = exempt.get();
            exempted.computeIfAbsent(new ExceptionRef(x.namespace(), x.name()), k -> new java.util.HashSet<>())
                    .addAll(row.allPods);
            return result(
                    row,
                    p.id(),
                    p.mode(),
                    Verdict.skip,
                    "exempted by " + x.title() + " until " + x.expires() + ": " + x.reason());
        }
        Verdict verdict = p.mode() == Mode.Warn ? Verdict.warn : Verdict.fail;
        return result(row, p.id(), p.mode(), verdict, Messages.unsatisfied(image, v));
    }

    private static RecheckResult result(
            Row row, io.trustgate.policy.PolicyId policy, Mode mode, Verdict verdict, String message) {
        return new RecheckResult(
                row.namespace,
                row.workload,
                row.image.written(),
                row.governed.image().digest(),
                policy,
                mode,
                verdict,
                message,
                row.pods);
    }
}
