package io.trustgate.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Answers an admission.k8s.io/v1 AdmissionReview: finds the pod spec, every image in it, the policies
 * that govern each image, and denies, warns or admits. A pure function of the review and the current
 * policies, so the webhook, the CLI and the tests share it.
 */
public final class AdmissionHandler {

    /** What to do with an image that no policy governs. */
    public enum Unmatched { deny, allow }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Kept under the webhook's timeoutSeconds (10 s in the chart) so a slow upstream gives a denial, not a timeout. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(8);
    /**
     * Most distinct images checked in one review: a pod naming more is denied before any check, so one review
     * costs at most this many image verifications.
     */
    public static final int MAX_IMAGES_PER_REVIEW = 32;
    /** Distinct image references remembered parsed. */
    private static final long MAX_REFERENCES = 10_000;

    private final Supplier<PolicySet> policies;
    private final NamespaceLabels namespaces;
    private final PullCredentials credentials;
    private final ImageVerifier verifier;
    private final Unmatched unmatched;
    private final AdmissionListener listener;
    private final Duration deadline;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Parsed image references by the text pods give (bounded). */
    private final Cache<String, Object> references = Caffeine.newBuilder().maximumSize(MAX_REFERENCES).build();

    public AdmissionHandler(Supplier<PolicySet> policies, NamespaceLabels namespaces, PullCredentials credentials,
            ImageVerifier verifier, Unmatched unmatched, AdmissionListener listener) {
        this(policies, namespaces, credentials, verifier, unmatched, listener, DEFAULT_DEADLINE);
    }

    /**
     * @param deadline the time budget of one review; an image whose check takes longer is judged without
     *     the missing answers (denied, unless a recent good verdict may be served)
     */
    public AdmissionHandler(Supplier<PolicySet> policies, NamespaceLabels namespaces, PullCredentials credentials,
            ImageVerifier verifier, Unmatched unmatched, AdmissionListener listener, Duration deadline) {
        this.deadline = deadline;
        this.policies = policies;
        this.namespaces = namespaces;
        this.credentials = credentials;
        this.verifier = verifier;
        this.unmatched = unmatched;
        this.listener = listener;
    }

    /** The decision for a review; the wire format is built by {@link #toReview}. */
    public record Decision(String uid, boolean allowed, String message, List<String> warnings, String reason) {}

    /**
     * @throws MalformedReviewException when the review has no request or uid; everything wrong with the
     *     object itself becomes a denial
     */
    public CompletableFuture<Decision> decide(JsonNode review) throws MalformedReviewException {
        long start = System.nanoTime();
        if (review == null || !review.isObject()) {
            throw new MalformedReviewException("the body is not an AdmissionReview object");
        }
        if (!"AdmissionReview".equals(review.path("kind").asText())) {
            throw new MalformedReviewException("kind must be AdmissionReview, got \""
                    + review.path("kind").asText() + "\"");
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            throw new MalformedReviewException("the AdmissionReview has no request");
        }
        String uid = request.path("uid").asText("");
        if (uid.isEmpty()) {
            throw new MalformedReviewException("the AdmissionReview request has no uid");
        }
        String operation = request.path("operation").asText("");
        JsonNode object = request.get("object");
        if (operation.equals("DELETE") || operation.equals("CONNECT") || object == null || !object.isObject()) {
            return done(new Decision(uid, true, null, List.of(), "no-object"), start);
        }
        String kind = request.path("kind").path("kind").asText(object.path("kind").asText(""));
        PodTemplate pod = PodTemplate.of(kind, object);
        if (pod == null) {
            return done(new Decision(uid, true, null, List.of(), "no-pod-spec"), start);
        }
        String namespace = request.path("namespace").asText(object.path("metadata").path("namespace").asText(""));
        return check(uid, namespace, pod).thenApply(d -> {
            listener.decided(d.allowed(), d.reason(), System.nanoTime() - start);
            return d;
        });
    }

    private CompletableFuture<Decision> done(Decision d, long start) {
        listener.decided(d.allowed(), d.reason(), System.nanoTime() - start);
        return CompletableFuture.completedFuture(d);
    }

    private CompletableFuture<Decision> check(String uid, String namespace, PodTemplate pod) {
        if (pod.images().size() > MAX_IMAGES_PER_REVIEW) {
            return CompletableFuture.completedFuture(new Decision(uid, false,
                    "trustgate: " + Messages.tooManyImages(pod.images().size(), MAX_IMAGES_PER_REVIEW), List.of(),
                    "too-many-images"));
        }
        List<String> denials = new ArrayList<>();
        Set<String> warnings = new LinkedHashSet<>();
        String reason = "signatures";
        if (!pod.containersWithoutImage().isEmpty()) {
            denials.add(Messages.missingImage(pod.containersWithoutImage()));
            reason = "invalid-reference";
        }
        PolicySet set = policies.get();
        Map<String, String> labels = namespaces.of(namespace);
        List<CompletableFuture<ImageVerdict>> pending = new ArrayList<>();
        Set<ImageReference> seen = new HashSet<>();
        for (String raw : pod.images()) {
            Object parsed = references.get(raw, AdmissionHandler::parse);
            if (parsed instanceof InvalidImageReferenceException e) {
                denials.add(Messages.invalidReference(raw, e.getMessage()));
                reason = "invalid-reference";
                continue;
            }
            ImageReference image = (ImageReference) parsed;
            if (!seen.add(image)) {
                continue; // "nginx" and "docker.io/library/nginx:latest" are one image
            }
            PolicySet.Applicable applicable = set.applicable(namespace, labels, image);
            if (!applicable.broken().isEmpty()) {
                for (BrokenPolicy b : applicable.broken()) {
                    denials.add(Messages.broken(image, b));
                }
                reason = "broken-policy";
                continue;
            }
            if (applicable.policies().isEmpty()) {
                if (unmatched == Unmatched.deny) {
                    denials.add(Messages.unmatched(image, namespace));
                    reason = "unmatched";
                }
                continue;
            }
            Progress progress = new Progress();
            List<Policy> governing = applicable.policies();
            ImageReference checked = image;
            CompletableFuture<ImageVerdict> verdict = credentials.forRegistry(namespace, pod, image.domain())
                    .thenCompose(creds -> verifier.verify(checked, governing, creds, progress));
            if (!verdict.isDone()) {
                // Only a check that waits for an upstream needs a deadline (cached verdicts complete at once).
                inFlight.incrementAndGet();
                verdict = verdict.completeOnTimeout(null, deadline.toMillis(), TimeUnit.MILLISECONDS)
                        .thenApply(v -> v != null ? v : verifier.timedOut(checked, governing, progress, deadline))
                        .whenComplete((v, e) -> inFlight.decrementAndGet());
            }
            pending.add(verdict);
        }
        String fixedReason = reason;
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            for (CompletableFuture<ImageVerdict> f : pending) {
                ImageVerdict image = f.join();
                for (PolicyVerdict v : image.verdicts()) {
                    warnings.addAll(v.findings().warnings());
                    if (v.satisfied()) {
                        continue;
                    }
                    listener.unsatisfied(namespace, image, v);
                    Mode mode = v.policy().mode();
                    if (mode == Mode.Enforce) {
                        denials.add(Messages.unsatisfied(image, v));
                    } else if (mode == Mode.Warn) {
                        warnings.add(Messages.unsatisfied(image, v));
                    }
                }
            }
            if (denials.isEmpty()) {
                return new Decision(uid, true, null, List.copyOf(warnings), "verified");
            }
            String message = denials.size() == 1 ? "trustgate: " + denials.get(0)
                    : "trustgate denied " + denials.size() + " images: " + String.join(" | ", denials);
            return new Decision(uid, false, message, List.copyOf(warnings), fixedReason);
        });
    }

    /** A reference or the exception it gives: parsing is a pure function, and the same images recur in every review. */
    private static Object parse(String raw) {
        try {
            return ImageReference.parse(raw);
        } catch (InvalidImageReferenceException e) {
            return e;
        }
    }

    /** Image checks under way right now (for the in-flight gauge). */
    public int inFlight() {
        return inFlight.get();
    }

    /** The admission.k8s.io/v1 AdmissionReview answering a decision. */
    public static ObjectNode toReview(Decision d) {
        ObjectNode response = JSON.objectNode();
        response.put("uid", d.uid());
        response.put("allowed", d.allowed());
        if (!d.allowed()) {
            ObjectNode status = response.putObject("status");
            status.put("code", 403);
            status.put("reason", "Forbidden");
            status.put("message", d.message());
        }
        if (!d.warnings().isEmpty()) {
            ArrayNode w = response.putArray("warnings");
            d.warnings().forEach(w::add);
        }
        ObjectNode review = JSON.objectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        review.set("response", response);
        return review;
    }
}
