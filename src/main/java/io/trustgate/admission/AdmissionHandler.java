package io.trustgate.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import io.trustgate.cache.Caffeines;
import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.Exemption;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
    public enum Unmatched {
        deny,
        allow
    }

    /**
     * Which objects /mutate rewrites to the verified digests: Pods only (workloads stay as their owners wrote
     * them, so GitOps tools see no drift; their Pods are pinned when created), every object, or none.
     */
    public enum Pin {
        pods,
        all,
        off
    }

    /**
     * One JSONPatch (RFC 6902) operation: {@code replace} the image at {@code path} with {@code value}.
     *
     * @param path RFC 6901 JSON Pointer of an image field
     * @param from the image as written, for messages and tests
     * @param value the pinned image, {@code name:tag@sha256:…}
     */
    public record PatchOperation(String path, String from, String value) {}

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
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
    private final Pin pin;
    private final Clock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Parsed image references by the text pods give (bounded). */
    private final Cache<String, Object> references =
            Caffeines.newBuilder().maximumSize(MAX_REFERENCES).build();

    private AdmissionHandler(Builder b) {
        this.policies = b.policies;
        this.namespaces = b.namespaces;
        this.credentials = b.credentials;
        this.verifier = b.verifier;
        this.unmatched = b.unmatched;
        this.listener = b.listener;
        this.deadline = b.deadline;
        this.pin = b.pin;
        this.clock = b.clock;
    }

    /**
     * A handler that judges with {@code verifier} under the current {@code policies}, within {@code deadline}; the
     * builder's other fields default to what fails closed or does nothing: no namespace labels, anonymous pulls,
     * {@link Unmatched#deny}, no listener, {@link Pin#pods}, the system clock.
     *
     * @param deadline the time budget of one review ({@code TRUSTGATE_DEADLINE}, kept under the webhook's
     *     timeoutSeconds); an image whose check takes longer is judged without the missing answers (denied,
     *     unless a recent good verdict may be served)
     */
    public static Builder builder(Supplier<PolicySet> policies, ImageVerifier verifier, Duration deadline) {
        return new Builder(policies, verifier, deadline);
    }

    /** Builds an {@link AdmissionHandler}; see {@link AdmissionHandler#builder}. */
    public static final class Builder {
        private final Supplier<PolicySet> policies;
        private final ImageVerifier verifier;
        private final Duration deadline;
        private NamespaceLabels namespaces = NamespaceLabels.NONE;
        private PullCredentials credentials = PullCredentials.ANONYMOUS;
        private Unmatched unmatched = Unmatched.deny;
        private AdmissionListener listener = AdmissionListener.NONE;
        private Pin pin = Pin.pods;
        private Clock clock = Clock.systemUTC();

        private Builder(Supplier<PolicySet> policies, ImageVerifier verifier, Duration deadline) {
            this.policies = Objects.requireNonNull(policies, "policies");
            this.verifier = Objects.requireNonNull(verifier, "verifier");
            this.deadline = Objects.requireNonNull(deadline, "deadline");
        }

        /** The labels of a review's namespace, for ClusterTrustPolicy namespaceSelectors. */
        public Builder namespaces(NamespaceLabels namespaces) {
            this.namespaces = Objects.requireNonNull(namespaces, "namespaces");
            return this;
        }

        /** The pull credentials each image's registry is read with. */
        public Builder credentials(PullCredentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** What to do with an image that no policy governs. */
        public Builder unmatched(Unmatched unmatched) {
            this.unmatched = Objects.requireNonNull(unmatched, "unmatched");
            return this;
        }

        public Builder listener(AdmissionListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Which objects the decision's patch pins to their verified digests. */
        public Builder pin(Pin pin) {
            this.pin = Objects.requireNonNull(pin, "pin");
            return this;
        }

        /** Decides whether a TrustException has expired. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public AdmissionHandler build() {
            return new AdmissionHandler(this);
        }
    }

    /**
     * The decision for a review; the wire format is built by {@link #toReview} and {@link #toJsonPatch}.
     *
     * @param patch what /mutate applies: each admitted, unpinned image a policy governs, rewritten to the digest
     *     its verdict rests on (empty when nothing is to be pinned, never a no-op)
     */
    public record Decision(
            String uid,
            boolean allowed,
            String message,
            List<String> warnings,
            String reason,
            List<PatchOperation> patch) {

        public Decision {
            warnings = List.copyOf(warnings);
            patch = List.copyOf(patch);
        }

        public Decision(String uid, boolean allowed, String message, List<String> warnings, String reason) {
            this(uid, allowed, message, warnings, reason, List.of());
        }
    }

    /**
     * The decision /validate gives (no patch): what the CLI and the stricter of the two webhooks answer.
     *
     * @throws MalformedReviewException when the review has no request or uid; everything wrong with the
     *     object itself becomes a denial
     */
    public CompletableFuture<Decision> decide(JsonNode review) throws MalformedReviewException {
        return decide(review, false);
    }

    /**
     * Decides a review for /validate or /mutate.
     *
     * @param mutating whether the answer goes to /mutate and so carries the pinning patch. The verdicts are the
     *     same either way, with one difference: an image whose tag cannot be resolved now may be admitted on the
     *     tag's last good verdict only by /mutate, and only when the patch pins every use of it to that digest
     *     ({@link ImageVerdict#pinRequired()}); /validate denies it
     * @throws MalformedReviewException when the review has no request or uid; everything wrong with the
     *     object itself becomes a denial
     */
    public CompletableFuture<Decision> decide(JsonNode review, boolean mutating) throws MalformedReviewException {
        long start = System.nanoTime();
        if (review == null || !review.isObject()) {
            throw new MalformedReviewException("the body is not an AdmissionReview object");
        }
        if (!"AdmissionReview".equals(review.path("kind").asText())) {
            throw new MalformedReviewException(
                    "kind must be AdmissionReview, got \"" + review.path("kind").asText() + "\"");
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
        String kind =
                request.path("kind").path("kind").asText(object.path("kind").asText(""));
        PodTemplate pod = PodTemplate.of(kind, object);
        if (pod == null) {
            return done(new Decision(uid, true, null, List.of(), "no-pod-spec"), start);
        }
        String namespace = request.path("namespace")
                .asText(object.path("metadata").path("namespace").asText(""));
        Set<String> previous = Set.of();
        if (operation.equals("UPDATE")) {
            JsonNode oldObject = request.get("oldObject");
            PodTemplate old = oldObject == null || !oldObject.isObject() ? null : PodTemplate.of(kind, oldObject);
            previous = old == null ? Set.of() : imagesByList(old);
            if (pod.containersWithoutImage().isEmpty() && previous.containsAll(imagesByList(pod))) {
                // Scaling, labels, finalizers: nothing new would run, so no upstream is asked (and a registry
                // outage does not block them). A changed or added image is verified below.
                return done(new Decision(uid, true, null, List.of(), "unchanged-images"), start);
            }
        }
        boolean pinning = mutating && (pin == Pin.all || (pin == Pin.pods && PodTemplate.isPod(kind)));
        return check(uid, namespace, pod, pinning, previous).thenApply(d -> {
            listener.decided(d.allowed(), d.reason(), System.nanoTime() - start);
            return d;
        });
    }

    private CompletableFuture<Decision> done(Decision d, long start) {
        listener.decided(d.allowed(), d.reason(), System.nanoTime() - start);
        return CompletableFuture.completedFuture(d);
    }

    /** Each image with the container list it is in: an ephemeral container is new even with a known image. */
    private static Set<String> imagesByList(PodTemplate pod) {
        Set<String> out = new HashSet<>();
        for (PodTemplate.ImageField f : pod.fields()) {
            out.add(f.list() + "\u0000" + f.image());
        }
        return out;
    }

    /**
     * @param pinning whether the decision carries a patch pinning verified images
     * @param previous the images of the old object by list (UPDATE), which are left as they are
     */
    private CompletableFuture<Decision> check(
            String uid, String namespace, PodTemplate pod, boolean pinning, Set<String> previous) {
        if (pod.images().size() > MAX_IMAGES_PER_REVIEW) {
            return CompletableFuture.completedFuture(new Decision(
                    uid,
                    false,
                    "trustgate: " + Messages.tooManyImages(pod.images().size(), MAX_IMAGES_PER_REVIEW),
                    List.of(),
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
        Map<ImageReference, CompletableFuture<ImageVerdict>> pending = new LinkedHashMap<>();
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
                boolean enforced = false;
                for (BrokenPolicy b : applicable.broken()) {
                    listener.broken(namespace, image, b);
                    if (b.mode() == Mode.Enforce) {
                        denials.add(Messages.broken(image, b));
                        enforced = true;
                    } else if (b.mode() == Mode.Warn) {
                        warnings.add("trustgate: " + Messages.broken(image, b));
                    }
                }
                if (enforced) {
                    reason = "broken-policy";
                    continue;
                }
            }
            List<Policy> governing = applicable.policies();
            if (governing.isEmpty() && !applicable.tightening().isEmpty() && unmatched == Unmatched.allow) {
                // Ungoverned images are allowed here, so the namespace's TrustPolicies may add their requirements.
                governing = applicable.tightening();
            }
            if (governing.isEmpty()) {
                if (!applicable.clusterGoverned() && unmatched == Unmatched.deny) {
                    denials.add(
                            applicable.tightening().isEmpty()
                                    ? Messages.unmatched(image, namespace)
                                    : Messages.onlyNamespaced(image, namespace, applicable.tightening()));
                    reason = "unmatched";
                }
                continue;
            }
            if (!set.exceptions().isEmpty()) {
                governing = withoutExempted(namespace, image, governing, set, warnings);
                if (governing.isEmpty()) {
                    continue; // every policy that governs it is waived: nothing to verify, nothing fetched
                }
            }
            Progress progress = new Progress();
            ImageReference checked = image;
            List<Policy> checkedAgainst = governing;
            CompletableFuture<ImageVerdict> verdict = credentials
                    .forRegistry(namespace, pod, image.host())
                    .thenCompose(creds -> verifier.verify(checked, checkedAgainst, creds, progress));
            if (!verdict.isDone()) {
                // Only a check that waits for an upstream needs a deadline (cached verdicts complete at once).
                inFlight.incrementAndGet();
                verdict = verdict.completeOnTimeout(null, deadline.toMillis(), TimeUnit.MILLISECONDS)
                        .thenApply(v -> v != null ? v : verifier.timedOut(checked, checkedAgainst, progress, deadline))
                        .whenComplete((v, e) -> inFlight.decrementAndGet());
            }
            pending.put(image, verdict);
        }
        String fixedReason = reason;
        return CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    List<ImageVerdict> needPin = new ArrayList<>();
                    for (CompletableFuture<ImageVerdict> f : pending.values()) {
                        ImageVerdict image = f.join();
                        if (image.pinRequired() && pinning) {
                            // /mutate may admit on the tag's last good verdict only by pinning the pod to that digest,
                            // so that what runs is what was verified; checked below, once the patch is known.
                            needPin.add(image);
                        }
                        for (PolicyVerdict v : image.verdicts()) {
                            if (image.pinRequired() && !pinning) {
                                // The last good verdict of the tag speaks about an old digest; /validate cannot pin the
                                // pod to it, so the image counts as unverified under each policy's mode (and the stale
                                // verdict's "admitted on the verdict of..." warning does not apply here).
                                listener.unsatisfied(namespace, image, v);
                                Mode mode = v.policy().mode();
                                String message = Messages.digestUnknown(image, v);
                                if (mode == Mode.Enforce) {
                                    denials.add(message);
                                } else if (mode == Mode.Warn) {
                                    warnings.add(message);
                                }
                                continue;
                            }
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
                    List<PatchOperation> patch =
                            denials.isEmpty() && pinning ? pins(pod, pending, previous) : List.of();
                    for (ImageVerdict image : needPin) {
                        if (pinnedEverywhere(pod, image, patch)) {
                            warnings.add(Messages.pinnedToLastVerified(image));
                            continue;
                        }
                        for (PolicyVerdict v : image.verdicts()) {
                            if (v.policy().mode() == Mode.Enforce) {
                                denials.add(Messages.digestUnknown(image, v));
                            }
                        }
                    }
                    if (denials.isEmpty()) {
                        return new Decision(uid, true, null, List.copyOf(warnings), "verified", patch);
                    }
                    String message = denials.size() == 1
                            ? "trustgate: " + denials.get(0)
                            : "trustgate denied " + denials.size() + " images: " + String.join(" | ", denials);
                    return new Decision(uid, false, message, List.copyOf(warnings), fixedReason);
                });
    }

    /**
     * The policies left to check once the namespace's TrustExceptions have waived theirs; each waiver adds a warning
     * naming the exception, its reason and its expiry. (Broken policies are never waived: whether they allow
     * exceptions could not be read.)
     */
    private List<Policy> withoutExempted(
            String namespace, ImageReference image, List<Policy> governing, PolicySet set, Set<String> warnings) {
        Instant now = clock.instant();
        List<Policy> remaining = new ArrayList<>(governing.size());
        for (Policy p : governing) {
            Optional<Exemption> exemption = set.exceptions().applicable(namespace, image, p, now);
            if (exemption.isPresent()) {
                warnings.add("trustgate: " + Messages.exempted(image, p, exemption.get()));
                listener.exempted(namespace, image, p, exemption.get());
            } else {
                remaining.add(p);
            }
        }
        return remaining;
    }

    /**
     * The operations that pin each admitted image to the digest its verdict rests on. Left alone: images that
     * already carry a digest (what runs is that digest, and it was verified), images no policy governs,
     * images whose digest no policy verified (a Warn or Audit failure, an unresolved tag), and on UPDATE
     * images the old object had (rewriting them would restart their containers).
     */
    private List<PatchOperation> pins(
            PodTemplate pod, Map<ImageReference, CompletableFuture<ImageVerdict>> verdicts, Set<String> previous) {
        List<PatchOperation> ops = new ArrayList<>();
        for (PodTemplate.ImageField field : pod.fields()) {
            Object parsed = references.get(field.image(), AdmissionHandler::parse);
            if (!(parsed instanceof ImageReference image)
                    || image.hasDigest()
                    || previous.contains(field.list() + "\u0000" + field.image())) {
                continue;
            }
            CompletableFuture<ImageVerdict> verdict = verdicts.get(image);
            String digest = verdict == null ? null : verifiedDigest(verdict.join());
            if (digest != null) {
                ops.add(new PatchOperation(field.pointer(), field.image(), pinned(field.image(), image, digest)));
            }
        }
        return ops;
    }

    /**
     * Whether every field of {@code pod} that names the image of {@code verdict} is rewritten by {@code patch} to
     * the verdict's digest (an image kept as written, e.g. one an UPDATE leaves alone, would run whatever the tag
     * points at now).
     */
    private boolean pinnedEverywhere(PodTemplate pod, ImageVerdict verdict, List<PatchOperation> patch) {
        for (PodTemplate.ImageField field : pod.fields()) {
            Object parsed = references.get(field.image(), AdmissionHandler::parse);
            if (!verdict.image().equals(parsed)) {
                continue;
            }
            boolean pinned = patch.stream()
                    .anyMatch(op ->
                            op.path().equals(field.pointer()) && op.value().endsWith("@" + verdict.digest()));
            if (!pinned) {
                return false;
            }
        }
        return true;
    }

    /**
     * The digest the satisfied verdicts on an image rest on (the digest that was verified, not a second
     * resolution), or {@code null} when no policy was satisfied or the satisfied ones disagree.
     */
    static String verifiedDigest(ImageVerdict image) {
        String digest = null;
        for (PolicyVerdict v : image.verdicts()) {
            if (!v.satisfied()) {
                continue;
            }
            if (v.digest() == null || (digest != null && !digest.equals(v.digest()))) {
                return null;
            }
            digest = v.digest();
        }
        return digest;
    }

    /**
     * {@code name:tag@digest} with the name as written (the runtime contacts the registry as written) and the
     * tag kept for readability ({@code :latest} written out when it was implied).
     */
    static String pinned(String written, ImageReference image, String digest) {
        int colon = written.lastIndexOf(':');
        String name = colon > written.lastIndexOf('/') ? written.substring(0, colon) : written;
        return name + (image.tag() != null ? ":" + image.tag() : "") + "@" + digest;
    }

    /** The JSONPatch (RFC 6902) document of a decision's patch, or {@code null} when there is nothing to patch. */
    public static ArrayNode toJsonPatch(Decision d) {
        if (d.patch().isEmpty()) {
            return null;
        }
        ArrayNode ops = JSON.arrayNode();
        for (PatchOperation op : d.patch()) {
            ops.addObject().put("op", "replace").put("path", op.path()).put("value", op.value());
        }
        return ops;
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
