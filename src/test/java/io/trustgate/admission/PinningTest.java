package io.trustgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Mode;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryUnavailableException;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.SignatureSource;
import io.trustgate.verify.SignerEvidence;
import io.trustgate.verify.SourceFindings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The JSONPatch of the decision (issue 9 parts 1 and 6): which image fields /mutate pins, to which digest,
 * and which UPDATEs need no upstream. An in-memory registry and signature source stand for the upstreams;
 * the webhook tests do the same against real ones.
 */
class PinningTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String D1 = "sha256:" + "d1".repeat(32);
    private static final String D2 = "sha256:" + "d2".repeat(32);

    /** Every resolution asked of the registry. */
    private final List<String> resolved = new ArrayList<>();
    /** What each tag resolves to; the registry is down when {@code down} is set. */
    private final Map<String, String> tags = new java.util.HashMap<>(Map.of("1", D1, "latest", D1, "2", D2));

    private boolean down;

    private final RegistryClient registry = (ref, creds) -> {
        resolved.add(ref.toString());
        if (down) {
            return CompletableFuture.failedFuture(
                    new RegistryUnavailableException("connection refused", ref.host(), ref.path(), ref.tag(), 0, ""));
        }
        return CompletableFuture.completedFuture(
                new ManifestDescriptor(tags.get(ref.tag()), "application/vnd.oci.image.manifest.v1+json", 10));
    };

    /** Signers per repository, as if their signatures over any digest had verified. */
    private final Map<String, Set<String>> signed = Map.of(
            "r.example.com/prod/good", Set.of("alice", "bob"),
            "r.example.com/prod/init", Set.of("alice", "bob"),
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

    private static Policy policy(String name, Mode mode, int min) throws Exception {
        PolicyId id = PolicyId.cluster(name);
        return Policy.builder(id, name + "-uid", "1")
                .mode(mode)
                .images(List.of(ImagePattern.compile("r.example.com/prod/**")))
                .lookaside("https://s.example.com")
                .signers(List.of(
                        Signer.builder("alice").keys(List.of("k")).build(),
                        Signer.builder("bob").keys(List.of("k")).build()))
                .minSignatures(min)
                .build();
    }

    private AdmissionHandler handler(AdmissionHandler.Pin pin, Policy... policies) {
        PolicySet set = new PolicySet(List.of(policies), List.of());
        return AdmissionHandler.builder(
                        () -> set,
                        new ImageVerifier(registry, List.of(source)),
                        io.trustgate.config.TrustgateSettings.defaults().deadline())
                .unmatched(AdmissionHandler.Unmatched.allow)
                .pin(pin)
                .build();
    }

    private AdmissionHandler enforcing(AdmissionHandler.Pin pin) throws Exception {
        return handler(pin, policy("prod", Mode.Enforce, 2));
    }

    private static ObjectNode review(String operation, String kind, JsonNode object, JsonNode oldObject) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", "u-1");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", kind);
        request.put("operation", operation);
        request.put("namespace", "default");
        request.set("object", object);
        if (oldObject != null) {
            request.set("oldObject", oldObject);
        }
        return review;
    }

    private static ObjectNode podSpec(ObjectNode spec, String list, String... images) {
        ArrayNode containers = spec.putArray(list);
        for (int i = 0; i < images.length; i++) {
            containers.addObject().put("name", list + i).put("image", images[i]);
        }
        return spec;
    }

    private static ObjectNode pod(String... images) {
        ObjectNode pod = JSON.createObjectNode().put("kind", "Pod");
        podSpec(pod.putObject("spec"), "containers", images);
        return pod;
    }

    private static ObjectNode deployment(String image) {
        ObjectNode d = JSON.createObjectNode().put("kind", "Deployment");
        podSpec(d.putObject("spec").putObject("template").putObject("spec"), "containers", image);
        return d;
    }

    private AdmissionHandler.Decision create(AdmissionHandler h, String kind, JsonNode object) throws Exception {
        return h.decide(review("CREATE", kind, object, null), true).join();
    }

    private static List<String> ops(AdmissionHandler.Decision d) {
        ArrayNode patch = AdmissionHandler.toJsonPatch(d);
        List<String> out = new ArrayList<>();
        if (patch != null) {
            patch.forEach(op -> out.add(op.path("op").asText() + " "
                    + op.path("path").asText() + " " + op.path("value").asText()));
        }
        return out;
    }

    @Test
    @DisplayName(
            "a Pod's containers, initContainers and ephemeralContainers are pinned to name:tag@digest, spelled as written")
    void podPinned() throws Exception {
        ObjectNode pod = JSON.createObjectNode().put("kind", "Pod");
        ObjectNode spec = pod.putObject("spec");
        podSpec(spec, "initContainers", "r.example.com/prod/init:2");
        podSpec(
                spec,
                "containers",
                "r.example.com/prod/good:1",
                "R.EXAMPLE.COM:443/prod/good",
                "r.example.com/prod/good:1");
        podSpec(spec, "ephemeralContainers", "r.example.com/prod/good:1");
        var d = create(enforcing(AdmissionHandler.Pin.pods), "Pod", pod);
        assertThat(d.allowed()).as(d.message()).isTrue();
        assertThat(ops(d))
                .containsExactly(
                        "replace /spec/initContainers/0/image r.example.com/prod/init:2@" + D2,
                        "replace /spec/containers/0/image r.example.com/prod/good:1@" + D1,
                        "replace /spec/containers/1/image R.EXAMPLE.COM:443/prod/good:latest@" + D1,
                        "replace /spec/containers/2/image r.example.com/prod/good:1@" + D1,
                        "replace /spec/ephemeralContainers/0/image r.example.com/prod/good:1@" + D1);
    }

    @Test
    @DisplayName("a Pod already pinned, or named by digest, gets no patch at all (no no-op patch)")
    void alreadyPinnedNotPatched() throws Exception {
        var d = create(
                enforcing(AdmissionHandler.Pin.pods),
                "Pod",
                pod("r.example.com/prod/good:1@" + D2, "r.example.com/prod/good@" + D1));
        assertThat(d.allowed()).as(d.message()).isTrue();
        assertThat(d.patch()).isEmpty();
        assertThat(AdmissionHandler.toJsonPatch(d)).isNull();
        assertThat(resolved).as("a digest is verified, never its tag").isEmpty();
    }

    @Test
    @DisplayName(
            "workloads are validated but not rewritten by default; TRUSTGATE_PIN=all pins their templates, off pins nothing")
    void pinModes() throws Exception {
        assertThat(create(enforcing(AdmissionHandler.Pin.pods), "Deployment", deployment("r.example.com/prod/good:1"))
                        .patch())
                .isEmpty();
        AdmissionHandler all = enforcing(AdmissionHandler.Pin.all);
        assertThat(ops(create(all, "Deployment", deployment("r.example.com/prod/good:1"))))
                .containsExactly("replace /spec/template/spec/containers/0/image r.example.com/prod/good:1@" + D1);
        ObjectNode cron = JSON.createObjectNode().put("kind", "CronJob");
        ObjectNode jobSpec = cron.putObject("spec").putObject("jobTemplate").putObject("spec");
        podSpec(jobSpec.putObject("template").putObject("spec"), "containers", "r.example.com/prod/good:2");
        assertThat(ops(create(all, "CronJob", cron)))
                .containsExactly(
                        "replace /spec/jobTemplate/spec/template/spec/containers/0/image r.example.com/prod/good:2@"
                                + D2);
        var off = create(enforcing(AdmissionHandler.Pin.off), "Pod", pod("r.example.com/prod/good:1"));
        assertThat(off.allowed()).isTrue();
        assertThat(off.patch()).isEmpty();
        var denied = create(enforcing(AdmissionHandler.Pin.pods), "Pod", pod("r.example.com/prod/half:1"));
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.patch()).isEmpty();
    }

    @Test
    @DisplayName(
            "ungoverned images are not rewritten and cost no network call; unverified Warn/Audit images are not pinned")
    void onlyVerifiedDigestsArePinned() throws Exception {
        var ungoverned = create(enforcing(AdmissionHandler.Pin.pods), "Pod", pod("elsewhere.example.com/app:1"));
        assertThat(ungoverned.allowed()).isTrue();
        assertThat(ungoverned.patch()).isEmpty();
        assertThat(resolved).isEmpty();

        var warned = create(
                handler(AdmissionHandler.Pin.pods, policy("warn", Mode.Warn, 2)),
                "Pod",
                pod("r.example.com/prod/half:1"));
        assertThat(warned.allowed()).isTrue();
        assertThat(warned.warnings()).isNotEmpty();
        assertThat(warned.patch())
                .as("the digest was resolved but nothing verified it")
                .isEmpty();
        var audited = create(
                handler(AdmissionHandler.Pin.pods, policy("audit", Mode.Audit, 2)),
                "Pod",
                pod("r.example.com/prod/half:1"));
        assertThat(audited.patch()).isEmpty();

        AdmissionHandler enforceAndWarn =
                handler(AdmissionHandler.Pin.pods, policy("enforce", Mode.Enforce, 1), policy("warn", Mode.Warn, 2));
        var mixed = create(enforceAndWarn, "Pod", pod("r.example.com/prod/half:1"));
        assertThat(mixed.warnings()).isNotEmpty();
        assertThat(ops(mixed))
                .as("the Enforce policy verified the digest")
                .containsExactly("replace /spec/containers/0/image r.example.com/prod/half:1@" + D1);
    }

    @Test
    @DisplayName("the patch carries the digest that was verified, not a second resolution of the tag")
    void patchFromTheVerdictsDigest() throws Exception {
        AdmissionHandler h = enforcing(AdmissionHandler.Pin.pods);
        var d = create(h, "Pod", pod("r.example.com/prod/good:1"));
        assertThat(resolved).hasSize(1);
        assertThat(ops(d)).containsExactly("replace /spec/containers/0/image r.example.com/prod/good:1@" + D1);
    }

    @Test
    @DisplayName(
            "an UPDATE with the images of oldObject is admitted without any upstream, even while the registry is down")
    void unchangedUpdateNeedsNoUpstream() throws Exception {
        AdmissionHandler h = enforcing(AdmissionHandler.Pin.pods);
        down = true;
        ObjectNode pinned = pod("r.example.com/prod/good:1@" + D1, "r.example.com/prod/half:1");
        ObjectNode scaled = pinned.deepCopy();
        scaled.putObject("metadata").putArray("finalizers");
        var d = h.decide(review("UPDATE", "Pod", scaled, pinned), true).join();
        assertThat(d.allowed()).isTrue();
        assertThat(d.reason()).isEqualTo("unchanged-images");
        assertThat(d.patch()).isEmpty();
        assertThat(resolved).isEmpty();

        var dep = h.decide(
                        review(
                                "UPDATE",
                                "Deployment",
                                deployment("r.example.com/prod/good:1"),
                                deployment("r.example.com/prod/good:1")),
                        true)
                .join();
        assertThat(dep.allowed()).isTrue();
        assertThat(resolved).isEmpty();
    }

    @Test
    @DisplayName("an UPDATE that changes or adds an image is verified as a CREATE, and only the new image is pinned")
    void changedUpdateVerified() throws Exception {
        AdmissionHandler h = enforcing(AdmissionHandler.Pin.pods);
        ObjectNode before = pod("r.example.com/prod/good:1", "r.example.com/prod/good:2");
        ObjectNode after = pod("r.example.com/prod/good:1", "r.example.com/prod/init:2");
        var d = h.decide(review("UPDATE", "Pod", after, before), true).join();
        assertThat(d.allowed()).as(d.message()).isTrue();
        assertThat(ops(d)).containsExactly("replace /spec/containers/1/image r.example.com/prod/init:2@" + D2);

        ObjectNode debug = before.deepCopy();
        podSpec((ObjectNode) debug.path("spec"), "ephemeralContainers", "r.example.com/prod/half:1");
        var added = h.decide(review("UPDATE", "Pod", debug, before), true).join();
        assertThat(added.allowed()).isFalse();
        assertThat(added.message()).contains("r.example.com/prod/half:1");

        ObjectNode sameImage = before.deepCopy();
        podSpec((ObjectNode) sameImage.path("spec"), "ephemeralContainers", "r.example.com/prod/good:1");
        int asked = resolved.size();
        var debugged =
                h.decide(review("UPDATE", "Pod", sameImage, before), true).join();
        assertThat(resolved.size())
                .as("an ephemeral container is new even with a known image")
                .isGreaterThan(asked);
        assertThat(ops(debugged))
                .containsExactly("replace /spec/ephemeralContainers/0/image r.example.com/prod/good:1@" + D1);

        down = true;
        var outage = h.decide(review("UPDATE", "Pod", after, before), true).join();
        assertThat(outage.allowed()).as("a changed image needs its registry").isFalse();
        assertThat(outage.message()).contains("r.example.com/prod/init:2");
    }

    @Test
    @DisplayName("/validate gets the same verdict and message as /mutate, without the patch being built")
    void validateSkipsThePatch() throws Exception {
        AdmissionHandler h = enforcing(AdmissionHandler.Pin.pods);
        var validate = h.decide(review("CREATE", "Pod", pod("r.example.com/prod/good:1"), null), false)
                .join();
        var mutate = h.decide(review("CREATE", "Pod", pod("r.example.com/prod/good:1"), null), true)
                .join();
        assertThat(validate.allowed()).isTrue();
        assertThat(validate.patch()).isEmpty();
        assertThat(mutate.patch()).hasSize(1);
        var deniedValidate = h.decide(review("CREATE", "Pod", pod("r.example.com/prod/half:1"), null), false)
                .join();
        var deniedMutate = h.decide(review("CREATE", "Pod", pod("r.example.com/prod/half:1"), null), true)
                .join();
        assertThat(deniedMutate.allowed()).isEqualTo(deniedValidate.allowed()).isFalse();
        assertThat(deniedMutate.message()).isEqualTo(deniedValidate.message());
    }

    @Test
    @DisplayName("JSON Pointer keys are escaped per RFC 6901")
    void pointerEscaping() {
        assertThat(PodTemplate.escape("a/b~c")).isEqualTo("a~1b~0c");
        assertThat(PodTemplate.escape("containers")).isEqualTo("containers");
    }
}
