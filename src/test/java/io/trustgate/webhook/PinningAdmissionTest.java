package io.trustgate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.Ports;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 parts 1 and 6 end to end over HTTPS: {@code /mutate} and {@code /validate} against a real
 * docker-registry, GPG signatures made by {@code skopeo copy --sign-by} and a lookaside store served over
 * HTTP. What /mutate pins must pass /validate; what /validate denies /mutate denies with the same message.
 */
@QuarkusTest
@QuarkusTestResource(value = WebhookPeers.class, restrictToAnnotatedClass = true)
class PinningAdmissionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    WebhookPeers.Peers peers;

    @Inject
    PolicyStore store;

    private HttpClient http;

    /** What an endpoint answered; {@code patch} is the decoded JSONPatch, or null when there was none. */
    record Answer(boolean allowed, String message, JsonNode patch, JsonNode response) {}

    @Test
    @DisplayName(
            "/mutate pins a Pod named by tag to name:tag@<verified digest>, and the pinned Pod passes /validate and is not patched again")
    void podPinnedAndThePinPasses() throws Exception {
        PushedImage img = push("pin");
        GpgPeer.Signed sig = sign(img);
        policy("pin");
        ObjectNode pod = pod(img.reference());
        Answer mutated = post("/mutate", "CREATE", "Pod", pod, null);
        assertThat(mutated.allowed()).as(mutated.message()).isTrue();
        assertThat(mutated.response().path("patchType").asText()).isEqualTo("JSONPatch");
        assertThat(mutated.patch()).hasSize(1);
        assertThat(mutated.patch().get(0).path("op").asText()).isEqualTo("replace");
        assertThat(mutated.patch().get(0).path("path").asText()).isEqualTo("/spec/containers/0/image");
        assertThat(mutated.patch().get(0).path("value").asText()).isEqualTo(img.reference() + "@" + img.digest());

        ObjectNode pinned = apply(pod, mutated.patch());
        Answer validated = post("/validate", "CREATE", "Pod", pinned, null);
        assertThat(validated.allowed()).as(validated.message()).isTrue();
        assertThat(peers.gpg()
                        .standaloneVerify(
                                img.writeManifest(peers.base().resolve("pin.json")),
                                img.reference(),
                                peers.alice(),
                                sig.latest())
                        .ok())
                .as("skopeo: the signature's identity is name:tag for that digest")
                .isTrue();
        Answer again = post("/mutate", "CREATE", "Pod", pinned, null);
        assertThat(again.allowed()).isTrue();
        assertThat(again.response().has("patch"))
                .as("a pinned Pod gets no (no-op) patch")
                .isFalse();
        assertThat(again.response().has("patchType")).isFalse();
    }

    @Test
    @DisplayName("/mutate denies what /validate denies, with the same message and no patch")
    void mutateDeniesLikeValidate() throws Exception {
        PushedImage img = push("deny");
        policy("deny");
        Answer validated = post("/validate", "CREATE", "Pod", pod(img.reference()), null);
        Answer mutated = post("/mutate", "CREATE", "Pod", pod(img.reference()), null);
        assertThat(validated.allowed()).isFalse();
        assertThat(mutated.allowed()).isFalse();
        assertThat(mutated.message()).isEqualTo(validated.message()).contains(img.digest());
        assertThat(mutated.patch()).isNull();
    }

    @Test
    @DisplayName(
            "after the tag moves, the pinned reference is still admitted for its signed digest; the tag and name:tag@<new digest> are denied")
    void tagMovedAfterAdmission() throws Exception {
        PushedImage img = push("moved");
        sign(img);
        policy("moved");
        Answer mutated = post("/mutate", "CREATE", "Pod", pod(img.reference()), null);
        String pinnedRef = mutated.patch().get(0).path("value").asText();
        PushedImage moved = ImageFactory.pushRandom(peers.registry(), img.path(), img.tag());
        assertThat(moved.digest()).isNotEqualTo(img.digest());
        Thread.sleep(WebhookPeers.TAG_TTL.toMillis() + 200);
        long before = peers.registry().manifestRequests(img.path());
        Answer pinned = post("/validate", "CREATE", "Pod", pod(pinnedRef), null);
        assertThat(pinned.allowed()).as(pinned.message()).isTrue();
        assertThat(peers.registry().manifestRequests(img.path()))
                .as("the digest is verified, never the tag")
                .isEqualTo(before);
        Answer byTag = post("/validate", "CREATE", "Pod", pod(img.reference()), null);
        assertThat(byTag.allowed()).isFalse();
        assertThat(byTag.message()).contains(moved.digest());
        Answer newDigest = post("/mutate", "CREATE", "Pod", pod(img.reference() + "@" + moved.digest()), null);
        assertThat(newDigest.allowed()).isFalse();
        assertThat(newDigest.message()).contains("no GPG signatures for " + moved.digest());
    }

    @Test
    @DisplayName(
            "a pinned reference whose tag the signature does not name is denied by both webhooks (skopeo agrees for the tag)")
    void pinnedWithAnotherTagDenied() throws Exception {
        PushedImage img = push("othertag");
        GpgPeer.Signed sig = sign(img);
        policy("othertag");
        String other = peers.registry().host() + "/" + img.path() + ":9.9";
        for (String endpoint : List.of("/validate", "/mutate")) {
            Answer a = post(endpoint, "CREATE", "Pod", pod(other + "@" + img.digest()), null);
            assertThat(a.allowed()).as(endpoint).isFalse();
            assertThat(a.message()).as(endpoint).contains("does not match " + other + "@" + img.digest());
        }
        assertThat(peers.gpg()
                        .standaloneVerify(
                                img.writeManifest(peers.base().resolve("othertag.json")),
                                other,
                                peers.alice(),
                                sig.latest())
                        .ok())
                .isFalse();
    }

    @Test
    @DisplayName(
            "a Deployment is validated but not rewritten by default (no drift for GitOps), and denied by /mutate when unsigned")
    void deploymentNotRewritten() throws Exception {
        PushedImage good = push("gitops");
        PushedImage bad = push("gitops", "bad");
        sign(good);
        policy("gitops");
        Answer signed = post("/mutate", "CREATE", "Deployment", deployment(good.reference()), null);
        assertThat(signed.allowed()).as(signed.message()).isTrue();
        assertThat(signed.patch()).isNull();
        Answer unsigned = post("/mutate", "CREATE", "Deployment", deployment(bad.reference()), null);
        assertThat(unsigned.allowed()).isFalse();
        assertThat(unsigned.message()).contains(bad.reference());
    }

    @Test
    @DisplayName(
            "an UPDATE with the old object's images is admitted while the registry is unreachable; a changed image is denied")
    void unchangedUpdateDuringOutage() throws Exception {
        String dead = "127.0.0.1:" + Ports.free();
        ObjectNode p = policyJson("outage");
        ((ArrayNode) p.path("spec").path("images")).removeAll().add(dead + "/demo/outage/**");
        writePolicy("gpg-outage", p);
        String image = dead + "/demo/outage/app:1.0";
        ObjectNode old = pod(image);
        ObjectNode relabelled = old.deepCopy();
        relabelled.putObject("metadata").putObject("labels").put("tier", "web");
        Answer create = post("/validate", "CREATE", "Pod", old, null);
        assertThat(create.allowed()).isFalse();
        assertThat(create.message()).contains("could not resolve the tag");
        for (String endpoint : List.of("/validate", "/mutate")) {
            Answer update = post(endpoint, "UPDATE", "Pod", relabelled, old);
            assertThat(update.allowed()).as(endpoint + ": " + update.message()).isTrue();
            assertThat(update.patch()).isNull();
        }
        Answer changed = post("/validate", "UPDATE", "Pod", pod(dead + "/demo/outage/app:2.0"), old);
        assertThat(changed.allowed()).isFalse();
        assertThat(changed.message()).contains("could not resolve the tag");
    }

    // ---------------------------------------------------------------- helpers

    private PushedImage push(String testCase) {
        return push(testCase, "app");
    }

    private PushedImage push(String testCase, String name) {
        return ImageFactory.pushRandom(peers.registry(), "demo/pin-" + testCase + "/" + name, "1.0");
    }

    private GpgPeer.Signed sign(PushedImage img) {
        return peers.gpg()
                .signImage(peers.alice(), img.reference(), peers.lookaside().root());
    }

    private ObjectNode policyJson(String testCase) {
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", "ClusterTrustPolicy");
        p.putObject("metadata").put("name", "gpg-pin-" + testCase);
        ObjectNode spec = p.putObject("spec");
        spec.put("mode", "Enforce");
        spec.putArray("images").add(peers.registry().host() + "/demo/pin-" + testCase + "/**");
        spec.put("lookaside", peers.lookaside().baseUrl());
        spec.putArray("signers")
                .addObject()
                .put("name", "alice")
                .putArray("keys")
                .add(peers.gpg().exportPublic(peers.alice()));
        spec.put("minSignatures", 1);
        return p;
    }

    private void policy(String testCase) throws Exception {
        writePolicy("gpg-pin-" + testCase, policyJson(testCase));
    }

    private void writePolicy(String file, ObjectNode policy) throws Exception {
        Files.writeString(peers.policies().resolve(file + ".json"), JSON.writeValueAsString(policy));
        String name = policy.path("metadata").path("name").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (store.get().policies().stream().anyMatch(x -> x.id().name().equals(name))) {
                return;
            }
            assertThat(store.get().broken()).noneMatch(b -> b.id().name().equals(name));
            Thread.sleep(50);
        }
        throw new AssertionError("policy " + name + " was not loaded");
    }

    private static ObjectNode pod(String image) {
        ObjectNode pod = JSON.createObjectNode();
        pod.put("kind", "Pod");
        pod.putObject("spec")
                .putArray("containers")
                .addObject()
                .put("name", "c0")
                .put("image", image);
        return pod;
    }

    private static ObjectNode deployment(String image) {
        ObjectNode d = JSON.createObjectNode();
        d.put("kind", "Deployment");
        d.putObject("spec")
                .putObject("template")
                .putObject("spec")
                .putArray("containers")
                .addObject()
                .put("name", "app")
                .put("image", image);
        return d;
    }

    /** Applies the replace operations /mutate answers with, as the API server would. */
    private static ObjectNode apply(ObjectNode object, JsonNode patch) {
        ObjectNode out = object.deepCopy();
        for (JsonNode op : patch) {
            String path = op.path("path").asText();
            int slash = path.lastIndexOf('/');
            ((ObjectNode) out.at(path.substring(0, slash)))
                    .put(path.substring(slash + 1), op.path("value").asText());
        }
        return out;
    }

    private Answer post(String endpoint, String operation, String kind, ObjectNode object, ObjectNode oldObject)
            throws Exception {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", "uid-" + UUID.randomUUID());
        request.putObject("kind")
                .put("group", kind.equals("Pod") ? "" : "apps")
                .put("version", "v1")
                .put("kind", kind);
        request.put("operation", operation);
        request.put("namespace", "default");
        request.set("object", object);
        if (oldObject != null) {
            request.set("oldObject", oldObject);
        }
        if (http == null) {
            http = peers.ca().httpClient(Duration.ofSeconds(5));
        }
        URI uri = URI.create("https://localhost:" + peers.port() + endpoint);
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(review)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode response = JSON.readTree(r.body()).path("response");
        assertThat(response.path("uid").asText()).isEqualTo(request.path("uid").asText());
        JsonNode patch = response.has("patch")
                ? JSON.readTree(
                        Base64.getDecoder().decode(response.path("patch").asText()))
                : null;
        return new Answer(
                response.path("allowed").asBoolean(),
                response.path("status").path("message").asText(""),
                patch,
                response);
    }
}
