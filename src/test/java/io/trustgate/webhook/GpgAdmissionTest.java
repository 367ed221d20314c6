package io.trustgate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trustgate.testing.Await;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.Proc;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The webhook end to end over HTTPS, against a real docker-registry, real GPG signatures made by
 * {@code skopeo copy --sign-by}, and a lookaside store served over HTTP. Where GPG decides the case,
 * {@code skopeo standalone-verify} is asked the same question and must agree with trustgate.
 */
@QuarkusTest
@QuarkusTestResource(value = WebhookPeers.class, restrictToAnnotatedClass = true)
class GpgAdmissionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    WebhookPeers.Peers peers;

    @Inject
    PolicyStore store;

    @Inject
    PolicySources secrets;

    private HttpClient http;

    /** What the webhook answered. */
    record Answer(int status, boolean allowed, String message, List<String> warnings, JsonNode body) {}

    // ---------------------------------------------------------------- the cases of issue 1/4

    @Test
    @DisplayName("two trusted signers with minSignatures 2 are admitted")
    void twoSignersAdmitted() throws Exception {
        PushedImage img = push("two");
        sign(peers.alice(), img);
        sign(peers.bob(), img);
        policy("two", "Enforce", 2, List.of());
        Answer a = review("default", pod(img.reference()));
        assertThat(a.allowed()).as(a.message()).isTrue();
        assertOracleAgrees(img, img.reference(), 2, List.of(), a);
    }

    @Test
    @DisplayName("one signature where two are needed is denied, naming the signer found and those missing")
    void oneOfTwoDenied() throws Exception {
        PushedImage img = push("one");
        sign(peers.alice(), img);
        policy("one", "Enforce", 2, List.of());
        Answer a = review("default", pod(img.reference()));
        assertThat(a.allowed()).isFalse();
        assertThat(a.message())
                .contains(img.reference())
                .contains(img.digest())
                .contains("ClusterTrustPolicy/gpg-one")
                .contains("signed by [alice (gpg)]")
                .contains("needs 2 signers of [alice, bob]")
                .contains("missing [bob]")
                .contains("Fix:");
        assertOracleAgrees(img, img.reference(), 2, List.of(), a);
    }

    @Test
    @DisplayName("an unsigned image is denied")
    void unsignedDenied() throws Exception {
        PushedImage img = push("unsigned");
        policy("unsigned", "Enforce", 1, List.of());
        Answer a = review("default", pod(img.reference()));
        assertThat(a.allowed()).isFalse();
        assertThat(a.message())
                .contains("signed by no trusted signer")
                .contains("no GPG signatures for " + img.digest());
        assertOracleAgrees(img, img.reference(), 1, List.of(), a);
    }

    @Test
    @DisplayName("an image signed only by a key no signer holds is denied")
    void untrustedKeyDenied() throws Exception {
        PushedImage img = push("untrusted");
        sign(peers.mallory(), img);
        policy("untrusted", "Enforce", 1, List.of());
        Answer a = review("default", pod(img.reference()));
        assertThat(a.allowed()).isFalse();
        assertThat(a.message())
                .contains("signed by no trusted signer")
                .contains("signature-1:")
                .containsIgnoringCase(peers.mallory().substring(24));
        assertOracleAgrees(img, img.reference(), 1, List.of(), a);
    }

    @Test
    @DisplayName("a missing required signer denies, even when minSignatures is met")
    void requiredSignerMissing() throws Exception {
        PushedImage img = push("required");
        sign(peers.alice(), img);
        policy("required", "Enforce", 1, List.of("bob"));
        Answer a = review("default", pod(img.reference()));
        assertThat(a.allowed()).isFalse();
        assertThat(a.message()).contains("signed by [alice (gpg)]").contains("required [bob] missing");
        assertOracleAgrees(img, img.reference(), 1, List.of("bob"), a);
    }

    @Test
    @DisplayName(
            "a tag re-pushed with new content after signing is denied once the tag TTL has passed: the new digest is unsigned")
    void movedTagDenied() throws Exception {
        PushedImage signed = push("moved");
        sign(peers.alice(), signed);
        policy("moved", "Enforce", 1, List.of());
        assertThat(review("default", pod(signed.reference())).allowed()).isTrue();
        PushedImage moved = ImageFactory.pushRandom(peers.registry(), signed.path(), signed.tag());
        assertThat(moved.digest()).isNotEqualTo(signed.digest());
        // the tag -> digest cache holds the old digest for TAG_TTL (reads do not extend it): ask until it lets go
        Answer a = Await.until(
                "the tag cache to let go of " + signed.digest() + " (tag TTL " + WebhookPeers.TAG_TTL + ")",
                WebhookPeers.TAG_TTL.plusSeconds(10),
                () -> review("default", pod(moved.reference())),
                answer -> !answer.allowed());
        assertThat(a.message()).contains(moved.digest()).contains("no GPG signatures for " + moved.digest());
        assertOracleAgrees(moved, moved.reference(), 1, List.of(), a);
    }

    @Test
    @DisplayName("a signature made for another repository name does not count")
    void foreignIdentityDenied() throws Exception {
        PushedImage original = push("foreign");
        sign(peers.alice(), original);
        String otherPath = "demo/foreign/other";
        String other = peers.registry().host() + "/" + otherPath + ":" + original.tag();
        Proc.cmd(
                        "skopeo",
                        "--insecure-policy",
                        "copy",
                        "--quiet",
                        "--src-tls-verify=false",
                        "--dest-tls-verify=false",
                        "docker://" + original.reference(),
                        "docker://" + other)
                .run();
        Path from = peers.lookaside().root().resolve(original.path() + "@sha256=" + original.hex());
        Path to = Files.createDirectories(peers.lookaside().root().resolve(otherPath + "@sha256=" + original.hex()));
        Files.copy(from.resolve("signature-1"), to.resolve("signature-1"));
        policy("foreign", "Enforce", 1, List.of());
        Answer a = review("default", pod(other));
        assertThat(a.allowed()).isFalse();
        assertThat(a.message()).contains("signature-1:").contains("does not match");
        assertThat(peers.gpg()
                        .standaloneVerify(manifest(original), other, peers.alice(), to.resolve("signature-1"))
                        .ok())
                .as("skopeo standalone-verify agrees the identity does not match")
                .isFalse();
    }

    @Test
    @DisplayName("a digest reference is admitted when the repository's signature covers the digest")
    void digestReferenceAdmitted() throws Exception {
        PushedImage img = push("digest");
        sign(peers.alice(), img);
        policy("digest", "Enforce", 1, List.of());
        Answer a = review("default", pod(img.digestReference()));
        assertThat(a.allowed()).as(a.message()).isTrue();
        assertOracleAgrees(img, img.reference(), 1, List.of(), a);
    }

    @Test
    @DisplayName("Warn mode admits an unsigned image with a warning that names it")
    void warnModeWarns() throws Exception {
        PushedImage img = push("warn");
        policy("warn", "Warn", 1, List.of());
        Answer a = review("default", pod(img.reference()));
        assertThat(a.allowed()).isTrue();
        assertThat(a.warnings())
                .singleElement()
                .asString()
                .contains(img.reference())
                .contains("ClusterTrustPolicy/gpg-warn");
    }

    @Test
    @DisplayName("a Deployment whose unsigned initContainer sits beside a signed container is denied")
    void deploymentInitContainerDenied() throws Exception {
        PushedImage good = push("deploy", "app");
        PushedImage init = push("deploy", "init");
        sign(peers.alice(), good);
        policy("deploy", "Enforce", 1, List.of());
        ObjectNode deployment = JSON.createObjectNode();
        deployment.put("kind", "Deployment");
        ObjectNode spec = deployment.putObject("spec").putObject("template").putObject("spec");
        spec.putArray("initContainers").addObject().put("name", "init").put("image", init.reference());
        spec.putArray("containers").addObject().put("name", "app").put("image", good.reference());
        Answer a = review("default", "Deployment", "apps", deployment);
        assertThat(a.allowed()).isFalse();
        assertThat(a.message()).contains(init.reference()).doesNotContain(good.reference());
    }

    @Test
    @DisplayName("a CronJob whose image is signed is admitted")
    void cronJobAdmitted() throws Exception {
        PushedImage img = push("cron");
        sign(peers.alice(), img);
        policy("cron", "Enforce", 1, List.of());
        ObjectNode cron = JSON.createObjectNode();
        cron.put("kind", "CronJob");
        cron.putObject("spec")
                .putObject("jobTemplate")
                .putObject("spec")
                .putObject("template")
                .putObject("spec")
                .putArray("containers")
                .addObject()
                .put("name", "job")
                .put("image", img.reference());
        Answer a = review("default", "CronJob", "batch", cron);
        assertThat(a.allowed()).as(a.message()).isTrue();
    }

    @Test
    @DisplayName("an image no policy governs is denied by default, without asking its registry")
    void ungovernedDenied() throws Exception {
        PushedImage img = push("ungoverned");
        long before = peers.registry().manifestRequests(img.path());
        Answer a = review("default", pod(img.reference()));
        assertThat(a.allowed()).isFalse();
        assertThat(a.message()).contains(img.reference()).contains("not governed by any TrustPolicy");
        assertThat(peers.registry().manifestRequests(img.path())).isEqualTo(before);
    }

    @Test
    @DisplayName("a namespaced TrustPolicy tightens the rules in its namespace only")
    void namespacedPolicyTightens() throws Exception {
        PushedImage img = push("tighten");
        sign(peers.alice(), img);
        policy("tighten", "Enforce", 1, List.of());
        ObjectNode strict = policyJson("TrustPolicy", "strict-two", "strict", "tighten", "Enforce", 2, List.of());
        writePolicy("tp-strict-two", strict);
        assertThat(review("relaxed", pod(img.reference())).allowed()).isTrue();
        Answer a = review("strict", pod(img.reference()));
        assertThat(a.allowed()).isFalse();
        assertThat(a.message())
                .contains("TrustPolicy strict/strict-two")
                .doesNotContain("ClusterTrustPolicy/gpg-tighten");
    }

    @Test
    @DisplayName("a registry that needs credentials is reached with the pod's imagePullSecret")
    void pullSecretUsed() throws Exception {
        PushedImage img = ImageFactory.pushRandom(peers.secured(), "demo/creds/app", "1.0");
        peers.gpg().signImage(peers.alice(), img.reference(), peers.lookaside().root(), "puller", "s3cret-pass");
        ObjectNode p = policyJson("ClusterTrustPolicy", "gpg-creds", null, null, "Enforce", 1, List.of());
        ((ArrayNode) p.path("spec").path("images"))
                .removeAll()
                .add(peers.secured().host() + "/demo/creds/**");
        writePolicy("gpg-creds", p);
        String auth = Base64.getEncoder().encodeToString("puller:s3cret-pass".getBytes(StandardCharsets.UTF_8));
        String dockerConfig = "{\"auths\":{\"" + peers.secured().host() + "\":{\"auth\":\"" + auth + "\"}}}";
        Files.writeString(peers.policies().resolve("regcred.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata: {name: regcred, namespace: creds}
                type: kubernetes.io/dockerconfigjson
                data:
                  .dockerconfigjson: %s
                """.formatted(
                        Base64.getEncoder().encodeToString(dockerConfig.getBytes(StandardCharsets.UTF_8))));
        awaitPolicy("gpg-creds");
        Await.until(
                "the Secret creds/regcred to be read with a directory scan",
                Duration.ofSeconds(10),
                () -> secrets.get("creds", "regcred").isPresent());

        Answer without = review("creds", pod(img.reference()));
        assertThat(without.allowed()).isFalse();
        assertThat(without.message()).contains("could not resolve the tag").contains("401");

        ObjectNode pod = pod(img.reference());
        ((ObjectNode) pod.path("spec")).putArray("imagePullSecrets").addObject().put("name", "regcred");
        Answer with = review("creds", pod);
        assertThat(with.allowed()).as(with.message()).isTrue();
    }

    // ---------------------------------------------------------------- the HTTP surface

    @Test
    @DisplayName("a malformed review gets a 400 with the reason, and the next review is served normally")
    void malformedThenNormal() throws Exception {
        for (String body : List.of(
                "not json", "[]", "{\"kind\":\"AdmissionReview\"}", "{\"kind\":\"AdmissionReview\",\"request\":{}}")) {
            HttpResponse<String> r = post("/validate", body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("reason").asText()).isNotBlank();
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("at io.");
        }
        Answer a = review("default", pod("evil.example.com/x:1"));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body().path("response").path("uid").asText()).startsWith("uid-");
        assertThat(a.allowed()).isFalse();
    }

    @Test
    @DisplayName(
            "health endpoints answer over HTTPS and ready reports loaded policies and the start-up warm-up, done within"
                    + " its budget")
    void health() throws Exception {
        assertThat(get("/q/health/live").statusCode()).isEqualTo(200);
        // The warm-up (TRUSTGATE_WARMUP, 3s by default) may still be running when this test comes first.
        HttpResponse<String> ready =
                Await.until("ready", Duration.ofSeconds(10), () -> get("/q/health/ready"), r -> r.statusCode() == 200);
        assertThat(ready.body()).contains("\"policies\"").contains("\"warmup\"");
        review("default", pod("evil.example.com/x:1"));
        assertThat(get("/q/metrics").body())
                .contains("trustgate_review_duration_seconds")
                .contains("trustgate_review_denied_total");
    }

    // ---------------------------------------------------------------- helpers

    private PushedImage push(String testCase) {
        return push(testCase, "app");
    }

    private PushedImage push(String testCase, String name) {
        return ImageFactory.pushRandom(peers.registry(), "demo/" + testCase + "/" + name, "1.0");
    }

    private GpgPeer.Signed sign(String fingerprint, PushedImage img) {
        return peers.gpg()
                .signImage(fingerprint, img.reference(), peers.lookaside().root());
    }

    private Map<String, String> signerKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("alice", peers.alice());
        keys.put("bob", peers.bob());
        return keys;
    }

    private ObjectNode policyJson(
            String kind, String name, String namespace, String testCase, String mode, int min, List<String> required) {
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", kind);
        ObjectNode meta = p.putObject("metadata");
        meta.put("name", name);
        if (namespace != null) {
            meta.put("namespace", namespace);
        }
        ObjectNode spec = p.putObject("spec");
        spec.put("mode", mode);
        spec.putArray("images").add(peers.registry().host() + "/demo/" + testCase + "/**");
        spec.put("lookaside", peers.lookaside().baseUrl());
        ArrayNode signers = spec.putArray("signers");
        signerKeys()
                .forEach((signer, fpr) -> signers.addObject()
                        .put("name", signer)
                        .putArray("keys")
                        .add(peers.gpg().exportPublic(fpr)));
        spec.put("minSignatures", min);
        ArrayNode req = spec.putArray("requiredSigners");
        required.forEach(req::add);
        return p;
    }

    private void policy(String testCase, String mode, int min, List<String> required) throws Exception {
        writePolicy(
                "gpg-" + testCase,
                policyJson("ClusterTrustPolicy", "gpg-" + testCase, null, testCase, mode, min, required));
    }

    private void writePolicy(String name, ObjectNode policy) throws Exception {
        Files.writeString(peers.policies().resolve(name + ".json"), JSON.writeValueAsString(policy));
        awaitPolicy(policy.path("metadata").path("name").asText());
    }

    private void awaitPolicy(String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (store.get().policies().stream().anyMatch(p -> p.id().name().equals(name))) {
                return;
            }
            assertThat(store.get().broken()).noneMatch(b -> b.id().name().equals(name));
            Thread.sleep(50);
        }
        throw new AssertionError(
                "policy " + name + " was not loaded; broken: " + store.get().broken());
    }

    private ObjectNode pod(String... images) {
        ObjectNode pod = JSON.createObjectNode();
        pod.put("kind", "Pod");
        ArrayNode containers = pod.putObject("spec").putArray("containers");
        for (int i = 0; i < images.length; i++) {
            containers.addObject().put("name", "c" + i).put("image", images[i]);
        }
        return pod;
    }

    private Answer review(String namespace, ObjectNode pod) throws Exception {
        return review(namespace, "Pod", "", pod);
    }

    private Answer review(String namespace, String kind, String group, ObjectNode object) throws Exception {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", "uid-" + UUID.randomUUID());
        request.putObject("kind").put("group", group).put("version", "v1").put("kind", kind);
        request.put("operation", "CREATE");
        request.put("namespace", namespace);
        request.set("object", object);
        HttpResponse<String> r = post("/validate", JSON.writeValueAsString(review));
        JsonNode body = JSON.readTree(r.body());
        JsonNode response = body.path("response");
        assertThat(response.path("uid").asText()).isEqualTo(request.path("uid").asText());
        List<String> warnings = new ArrayList<>();
        response.path("warnings").forEach(w -> warnings.add(w.asText()));
        return new Answer(
                r.statusCode(),
                response.path("allowed").asBoolean(),
                response.path("status").path("message").asText(""),
                warnings,
                body);
    }

    /**
     * skopeo standalone-verify decides each (signature, trusted key) pair; the threshold over the signers it
     * accepts must give the verdict trustgate gave.
     */
    private void assertOracleAgrees(PushedImage img, String reference, int min, List<String> required, Answer answer)
            throws Exception {
        Path dir = peers.lookaside().root().resolve(img.path() + "@sha256=" + img.hex());
        Set<String> accepted = new LinkedHashSet<>();
        if (Files.isDirectory(dir)) {
            List<Path> signatures;
            try (Stream<Path> s = Files.list(dir)) {
                signatures = s.filter(f -> f.getFileName().toString().startsWith("signature-"))
                        .sorted()
                        .toList();
            }
            Path manifest = manifest(img);
            for (Path sig : signatures) {
                for (Map.Entry<String, String> signer : signerKeys().entrySet()) {
                    if (peers.gpg()
                            .standaloneVerify(manifest, reference, signer.getValue(), sig)
                            .ok()) {
                        accepted.add(signer.getKey());
                    }
                }
            }
        }
        boolean oracle = accepted.size() >= min && accepted.containsAll(required);
        assertThat(answer.allowed())
                .as("trustgate agrees with skopeo standalone-verify (signers %s)", accepted)
                .isEqualTo(oracle);
    }

    private Path manifest(PushedImage img) throws Exception {
        return img.writeManifest(peers.base().resolve("manifest-" + img.hex() + ".json"));
    }

    private HttpClient http() {
        if (http == null) {
            http = peers.ca().httpClient(Duration.ofSeconds(5));
        }
        return http;
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http().send(
                        HttpRequest.newBuilder(URI.create("https://localhost:" + peers.port() + path))
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(20))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http().send(
                        HttpRequest.newBuilder(URI.create("https://localhost:" + peers.port() + path))
                                .timeout(Duration.ofSeconds(20))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
