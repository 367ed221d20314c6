package io.trustgate.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Mode;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.RegistryClient;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.SignatureSource;
import io.trustgate.verify.SignerEvidence;
import io.trustgate.verify.SourceFindings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The admission decision as a pure function, with an in-memory registry and signature source. */
class AdmissionHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    private final List<String> resolved = new ArrayList<>();
    private final RegistryClient registry = (ref, creds) -> {
        resolved.add(ref.toString());
        if (ref.tag() != null && ref.tag().equals("missing")) {
            return CompletableFuture.failedFuture(new IllegalStateException("manifest unknown: " + ref));
        }
        return CompletableFuture.completedFuture(
                new ManifestDescriptor(DIGEST, "application/vnd.oci.image.manifest.v1+json", 10));
    };
    /** Signers per repository, as if their signatures had verified. */
    private Map<String, Set<String>> signed = Map.of(
            "r.example.com/prod/good", Set.of("alice", "bob"),
            "r.example.com/prod/half", Set.of("alice"));

    private final SignatureSource source = new SignatureSource() {
        @Override
        public boolean appliesTo(Policy policy) {
            return true;
        }

        @Override
        public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
            List<SignerEvidence> found = signed.getOrDefault(image.repository(), Set.of()).stream()
                    .map(s -> new SignerEvidence(s, "gpg", "fpr-" + s))
                    .toList();
            return CompletableFuture.completedFuture(new SourceFindings(found, List.of(), List.of(), null));
        }
    };

    private static Policy policy(PolicyId id, Mode mode, String pattern, int min, List<String> required)
            throws Exception {
        return Policy.builder(id, id.name() + "-uid", "1")
                .mode(mode)
                .images(List.of(ImagePattern.compile(pattern)))
                .lookaside("https://s.example.com")
                .signers(List.of(
                        Signer.builder("alice").keys(List.of("k")).build(),
                        Signer.builder("bob").keys(List.of("k")).build(),
                        Signer.builder("carol").keys(List.of("k")).build()))
                .minSignatures(min)
                .requiredSigners(required)
                .build();
    }

    private AdmissionHandler handler(PolicySet set, AdmissionHandler.Unmatched unmatched) {
        return AdmissionHandler.builder(
                        () -> set,
                        new ImageVerifier(registry, List.of(source)),
                        TrustgateSettings.defaults().deadline())
                .unmatched(unmatched)
                .build();
    }

    private static JsonNode review(String kind, String namespace, String object) throws Exception {
        return JSON.readTree("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
                 "kind":{"group":"","version":"v1","kind":"%s"},"operation":"CREATE","namespace":"%s","object":%s}}
                """.formatted(kind, namespace, object));
    }

    private static String pod(String... images) {
        StringBuilder c = new StringBuilder();
        for (int i = 0; i < images.length; i++) {
            c.append(i == 0 ? "" : ",")
                    .append("{\"name\":\"c")
                    .append(i)
                    .append("\",\"image\":\"")
                    .append(images[i])
                    .append("\"}");
        }
        return "{\"kind\":\"Pod\",\"spec\":{\"containers\":[" + c + "]}}";
    }

    private PolicySet cluster(Mode mode, int min, List<String> required) throws Exception {
        return new PolicySet(
                List.of(policy(PolicyId.cluster("prod"), mode, "r.example.com/prod/**", min, required)), List.of());
    }

    @Test
    @DisplayName("an image signed by enough signers is admitted and the uid echoed")
    void admitsSigned() throws Exception {
        var d = handler(cluster(Mode.Enforce, 2, List.of()), AdmissionHandler.Unmatched.deny)
                .decide(review("Pod", "default", pod("r.example.com/prod/good:1")))
                .join();
        assertThat(d.allowed()).isTrue();
        JsonNode out = AdmissionHandler.toReview(d);
        assertThat(out.path("response").path("uid").asText()).isEqualTo("u-1");
        assertThat(out.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    }

    @Test
    @DisplayName("a denial names the image, digest, policy, signers found and missing, and what to do")
    void denialMessage() throws Exception {
        var d = handler(cluster(Mode.Enforce, 2, List.of("bob")), AdmissionHandler.Unmatched.deny)
                .decide(review("Pod", "default", pod("r.example.com/prod/half:1")))
                .join();
        assertThat(d.allowed()).isFalse();
        assertThat(d.message())
                .contains("r.example.com/prod/half:1")
                .contains(DIGEST)
                .contains("ClusterTrustPolicy/prod")
                .contains("alice (gpg)")
                .contains("needs 2 signers")
                .contains("required [bob] missing")
                .contains("Fix:")
                .doesNotContain("\n");
        JsonNode out = AdmissionHandler.toReview(d);
        assertThat(out.path("response").path("status").path("code").asInt()).isEqualTo(403);
    }

    @Test
    @DisplayName("Warn mode admits with a warning, Audit admits silently")
    void warnAndAudit() throws Exception {
        var warn = handler(cluster(Mode.Warn, 2, List.of()), AdmissionHandler.Unmatched.deny)
                .decide(review("Pod", "default", pod("r.example.com/prod/half:1")))
                .join();
        assertThat(warn.allowed()).isTrue();
        assertThat(warn.warnings()).singleElement().asString().contains("r.example.com/prod/half:1");
        var audit = handler(cluster(Mode.Audit, 2, List.of()), AdmissionHandler.Unmatched.deny)
                .decide(review("Pod", "default", pod("r.example.com/prod/half:1")))
                .join();
        assertThat(audit.allowed()).isTrue();
        assertThat(audit.warnings()).isEmpty();
    }

    @Test
    @DisplayName("an ungoverned image is denied by default without any registry request, allowed when configured")
    void unmatched() throws Exception {
        var denied = handler(cluster(Mode.Enforce, 1, List.of()), AdmissionHandler.Unmatched.deny)
                .decide(review("Pod", "default", pod("evil.example.com/x:1")))
                .join();
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.message()).contains("evil.example.com/x:1").contains("not governed");
        assertThat(resolved)
                .as("no network call for an image no policy governs")
                .isEmpty();
        var allowed = handler(cluster(Mode.Enforce, 1, List.of()), AdmissionHandler.Unmatched.allow)
                .decide(review("Pod", "default", pod("evil.example.com/x:1")))
                .join();
        assertThat(allowed.allowed()).isTrue();
    }

    @Test
    @DisplayName("a Deployment whose unsigned initContainer sits beside a signed container is denied")
    void initContainer() throws Exception {
        String deployment = """
                {"kind":"Deployment","spec":{"template":{"spec":{
                  "initContainers":[{"name":"init","image":"r.example.com/prod/unsigned:1"}],
                  "containers":[{"name":"app","image":"r.example.com/prod/good:1"},{"name":"side","image":"r.example.com/prod/good:1"}]}}}}""";
        var d = handler(cluster(Mode.Enforce, 1, List.of()), AdmissionHandler.Unmatched.deny)
                .decide(review("Deployment", "default", deployment))
                .join();
        assertThat(d.allowed()).isFalse();
        assertThat(d.message()).contains("r.example.com/prod/unsigned:1").doesNotContain("prod/good");
        assertThat(resolved)
                .as("the same image in two containers is resolved once")
                .hasSize(2);
    }

    @Test
    @DisplayName("pod specs are found in every workload kind")
    void workloadKinds() throws Exception {
        String template = "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"r.example.com/prod/half:1\"}]}}";
        Map<String, String> objects = Map.of(
                "ReplicaSet", "{\"spec\":{\"template\":" + template + "}}",
                "StatefulSet", "{\"spec\":{\"template\":" + template + "}}",
                "DaemonSet", "{\"spec\":{\"template\":" + template + "}}",
                "Job", "{\"spec\":{\"template\":" + template + "}}",
                "ReplicationController", "{\"spec\":{\"template\":" + template + "}}",
                "CronJob", "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":" + template + "}}}}",
                "Pod",
                        "{\"spec\":{\"ephemeralContainers\":[{\"name\":\"dbg\",\"image\":\"r.example.com/prod/half:1\"}]}}");
        for (var e : objects.entrySet()) {
            var d = handler(cluster(Mode.Enforce, 2, List.of()), AdmissionHandler.Unmatched.deny)
                    .decide(review(e.getKey(), "default", e.getValue()))
                    .join();
            assertThat(d.allowed()).as(e.getKey()).isFalse();
            assertThat(d.message()).as(e.getKey()).contains("r.example.com/prod/half:1");
        }
    }

    @Test
    @DisplayName("a namespaced TrustPolicy tightens the rules in its namespace only")
    void namespacedTightens() throws Exception {
        PolicySet set = new PolicySet(
                List.of(
                        policy(PolicyId.cluster("prod"), Mode.Enforce, "r.example.com/prod/**", 1, List.of()),
                        policy(
                                PolicyId.namespaced("strict", "two"),
                                Mode.Enforce,
                                "r.example.com/prod/**",
                                2,
                                List.of())),
                List.of());
        var h = handler(set, AdmissionHandler.Unmatched.deny);
        assertThat(h.decide(review("Pod", "relaxed", pod("r.example.com/prod/half:1")))
                        .join()
                        .allowed())
                .isTrue();
        var strict = h.decide(review("Pod", "strict", pod("r.example.com/prod/half:1")))
                .join();
        assertThat(strict.allowed()).isFalse();
        assertThat(strict.message()).contains("TrustPolicy strict/two");
    }

    @Test
    @DisplayName("invalid references and unresolvable tags are denied with the reason")
    void badReferences() throws Exception {
        var h = handler(cluster(Mode.Enforce, 1, List.of()), AdmissionHandler.Unmatched.deny);
        var invalid = h.decide(review("Pod", "default", pod("r.example.com/Prod/App:1")))
                .join();
        assertThat(invalid.allowed()).isFalse();
        assertThat(invalid.message()).contains("invalid image reference").contains("lower-case");
        var missing = h.decide(review("Pod", "default", pod("r.example.com/prod/good:missing")))
                .join();
        assertThat(missing.allowed()).isFalse();
        assertThat(missing.message()).contains("could not resolve the tag").contains("manifest unknown");
    }

    @Test
    @DisplayName("a review without request or uid is malformed; DELETE and kinds without pods are allowed")
    void malformed() throws Exception {
        var h = handler(cluster(Mode.Enforce, 1, List.of()), AdmissionHandler.Unmatched.deny);
        assertThatThrownBy(() -> h.decide(JSON.readTree("{\"kind\":\"AdmissionReview\"}")))
                .isInstanceOf(MalformedReviewException.class)
                .hasMessageContaining("no request");
        assertThatThrownBy(() -> h.decide(JSON.readTree("{\"kind\":\"AdmissionReview\",\"request\":{}}")))
                .hasMessageContaining("uid");
        assertThatThrownBy(() -> h.decide(JSON.readTree("[1]"))).hasMessageContaining("not an AdmissionReview");
        assertThat(h.decide(review("ConfigMap", "default", "{\"data\":{}}"))
                        .join()
                        .allowed())
                .isTrue();
    }

    @Test
    @DisplayName(
            "a pod naming one image more than the per-review cap is denied naming the cap; at the cap every image is checked")
    void imagesPerReview() throws Exception {
        var h = handler(cluster(Mode.Enforce, 2, List.of()), AdmissionHandler.Unmatched.deny);
        String[] atCap = new String[AdmissionHandler.MAX_IMAGES_PER_REVIEW];
        for (int i = 0; i < atCap.length; i++) {
            atCap[i] = "r.example.com/prod/good:" + i;
        }
        String[] overCap = java.util.Arrays.copyOf(atCap, atCap.length + 1);
        overCap[atCap.length] = "r.example.com/prod/good:extra";

        var over = h.decide(review("Pod", "default", pod(overCap))).join();
        assertThat(over.allowed()).isFalse();
        assertThat(over.reason()).isEqualTo("too-many-images");
        assertThat(over.message())
                .contains((atCap.length + 1) + " distinct images")
                .contains("more than the " + AdmissionHandler.MAX_IMAGES_PER_REVIEW);
        assertThat(resolved).as("no image of the denied pod was looked up").isEmpty();

        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        var at = h.decide(review("Pod", "default", pod(atCap))).join();
        System.out.printf(
                "review of %d images (in-memory signatures): %.1f ms CPU%n",
                atCap.length, (threads.getCurrentThreadCpuTime() - cpu) / 1e6);
        assertThat(at.allowed()).isTrue();
        assertThat(resolved).hasSize(atCap.length);
    }

    @Test
    @DisplayName(
            "review bodies: one level of nesting, one string character or one byte over the bound is a 400 naming it")
    void reviewBounds() throws Exception {
        String atDepth = "{\"a\":".repeat(ReviewParser.MAX_NESTING_DEPTH - 1) + "[1]"
                + "}".repeat(ReviewParser.MAX_NESTING_DEPTH - 1);
        assertThat(ReviewParser.parse(atDepth.getBytes(StandardCharsets.UTF_8)).isObject())
                .isTrue();
        String overDepth = atDepth.replace("[1]", "[[1]]");
        assertThatThrownBy(() -> ReviewParser.parse(overDepth.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedReviewException.class)
                .hasMessageContaining("nesting depth")
                .hasMessageContaining(String.valueOf(ReviewParser.MAX_NESTING_DEPTH));

        String atString = "{\"s\":\"" + "x".repeat(ReviewParser.MAX_STRING_LENGTH) + "\"}";
        assertThat(ReviewParser.parse(atString.getBytes(StandardCharsets.UTF_8))
                        .get("s")
                        .textValue())
                .hasSize(ReviewParser.MAX_STRING_LENGTH);
        String overString = "{\"s\":\"" + "x".repeat(ReviewParser.MAX_STRING_LENGTH + 1) + "\"}";
        assertThatThrownBy(() -> ReviewParser.parse(overString.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedReviewException.class)
                .hasMessageContaining("String value length")
                .hasMessageContaining(String.valueOf(ReviewParser.MAX_STRING_LENGTH));

        byte[] overSize = new byte[ReviewParser.MAX_REVIEW_BYTES + 1];
        java.util.Arrays.fill(overSize, (byte) ' ');
        assertThatThrownBy(() -> ReviewParser.parse(overSize))
                .hasMessageContaining("more than the limit of " + ReviewParser.MAX_REVIEW_BYTES);
        assertThatThrownBy(() -> ReviewParser.parse("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("Duplicate field");
        assertThatThrownBy(() -> ReviewParser.parse(new byte[0])).hasMessageContaining("empty");
    }
}
