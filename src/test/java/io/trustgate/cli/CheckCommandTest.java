package io.trustgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.k8s.PolicyDirectory;
import io.trustgate.runtime.VerifierStack;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.RegistryPeer;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code trustgate check} against a real docker-registry, GPG simple signatures made by {@code skopeo copy
 * --sign-by} in a lookaside store served over HTTP, and a policy directory: the verdict and message must be
 * the webhook's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("trustgate check")
class CheckCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path base;
    private RegistryPeer registry;
    private LookasidePeer lookaside;
    private GpgPeer gpg;
    private Path policies;
    private PushedImage signed;
    private PushedImage unsigned;
    private PushedImage prodImage;

    @BeforeAll
    void start() throws Exception {
        base = Files.createTempDirectory("tg-cli-check-");
        registry = RegistryPeer.builder("cli-check-registry").start();
        lookaside = LookasidePeer.serve("cli-check-lookaside", base.resolve("lookaside"));
        gpg = GpgPeer.create();
        String alice = gpg.generateKey("Alice", "alice@example.test");
        policies = Files.createDirectories(base.resolve("policies"));
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", "ClusterTrustPolicy");
        p.putObject("metadata").put("name", "cli-gpg");
        ObjectNode spec = p.putObject("spec");
        spec.put("mode", "Enforce");
        spec.putArray("images").add(registry.host() + "/cli/**");
        spec.put("lookaside", lookaside.baseUrl());
        spec.putArray("signers")
                .addObject()
                .put("name", "alice")
                .putArray("keys")
                .add(gpg.exportPublic(alice));
        spec.put("minSignatures", 1);
        Files.writeString(policies.resolve("cli-gpg.json"), JSON.writeValueAsString(p));
        ObjectNode prod = p.deepCopy();
        ((ObjectNode) prod.path("metadata")).put("name", "cli-prod");
        ((ObjectNode) prod.path("spec"))
                .putObject("namespaceSelector")
                .putObject("matchLabels")
                .put("env", "prod");
        ((ObjectNode) prod.path("spec")).putArray("images").add(registry.host() + "/cliprod/**");
        Files.writeString(policies.resolve("cli-prod.json"), JSON.writeValueAsString(prod));
        prodImage = ImageFactory.pushRandom(registry, "cliprod/app", "2.0");
        signed = ImageFactory.pushRandom(registry, "cli/signed/app", "1.0");
        gpg.signImage(alice, signed.reference(), lookaside.root());
        unsigned = ImageFactory.pushRandom(registry, "cli/unsigned/app", "1.0");
    }

    @AfterAll
    void stop() {
        if (registry != null) {
            registry.close();
        }
        if (lookaside != null) {
            lookaside.close();
        }
        if (gpg != null) {
            gpg.close();
        }
    }

    private CliRun check(String... args) {
        List<String> all = new java.util.ArrayList<>(
                List.of("check", "--policies", policies.toString(), "--insecure-registry", registry.host()));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    @DisplayName("a signed image is ALLOWED with exit code 0")
    void signedAllowed() {
        CliRun run = check(signed.reference());
        assertThat(run.code()).as(run.describe()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("ALLOWED image/" + signed.reference() + " (namespace default)\n");
    }

    @Test
    @DisplayName(
            "an unsigned image is DENIED with exit code 1 and the very message the webhook's AdmissionHandler gives")
    void unsignedDeniedWithTheWebhooksMessage() throws Exception {
        CliRun run = check(unsigned.reference());
        assertThat(run.code()).as(run.describe()).isEqualTo(1);
        assertThat(run.out())
                .startsWith("DENIED image/" + unsigned.reference() + " (namespace default): trustgate: ")
                .contains(unsigned.reference())
                .contains(unsigned.digest())
                .contains("ClusterTrustPolicy/cli-gpg")
                .contains("no GPG signatures for " + unsigned.digest())
                .contains("[alice]");
        String cliMessage = run.out().substring(run.out().indexOf(": ") + 2).strip();
        assertThat(cliMessage).isEqualTo(webhookMessage(unsigned.reference()));
    }

    @Test
    @DisplayName(
            "-f reads a multi-document manifest: a signed Deployment is allowed, an unsigned CronJob denied, a Service skipped")
    void manifestWithDeploymentAndCronJob() throws Exception {
        Path manifest = base.resolve("app.yaml");
        Files.writeString(manifest, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  template:
                    spec:
                      containers: [{name: web, image: "%s"}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: nightly}
                spec:
                  schedule: "0 3 * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          containers: [{name: job, image: "%s"}]
                """.formatted(signed.reference(), unsigned.reference()));
        CliRun run = check("-f", manifest.toString(), "--namespace", "batch");
        assertThat(run.code()).as(run.describe()).isEqualTo(1);
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("ALLOWED Deployment/web (namespace shop)");
        assertThat(lines.get(1))
                .startsWith("DENIED CronJob/nightly (namespace batch): trustgate: image " + unsigned.reference())
                .contains(unsigned.digest());
    }

    @Test
    @DisplayName("--output json is an array of {object, namespace, allowed, message, warnings}")
    void jsonOutput() throws Exception {
        CliRun run = check("--output", "json", signed.reference(), unsigned.reference());
        assertThat(run.code()).as(run.describe()).isEqualTo(1);
        JsonNode array = JSON.readTree(run.out());
        assertThat(array.isArray()).isTrue();
        assertThat(array).hasSize(2);
        assertThat(array.get(0).path("object").asText()).isEqualTo("image/" + signed.reference());
        assertThat(array.get(0).path("namespace").asText()).isEqualTo("default");
        assertThat(array.get(0).path("allowed").asBoolean()).isTrue();
        assertThat(array.get(0).path("message").isNull()).isTrue();
        assertThat(array.get(0).path("warnings").isArray()).isTrue();
        assertThat(array.get(1).path("allowed").asBoolean()).isFalse();
        assertThat(array.get(1).path("message").asText())
                .contains(unsigned.digest())
                .contains("ClusterTrustPolicy/cli-gpg");
    }

    @Test
    @DisplayName("an image no policy governs is denied by default and allowed with --unmatched allow")
    void unmatched() {
        CliRun denied = check("example.invalid/other/app:1");
        assertThat(denied.code()).as(denied.describe()).isEqualTo(1);
        assertThat(denied.out()).contains("not governed by any TrustPolicy");
        CliRun allowed = check("--unmatched", "allow", "example.invalid/other/app:1");
        assertThat(allowed.code()).as(allowed.describe()).isEqualTo(0);
        assertThat(allowed.out()).startsWith("ALLOWED image/example.invalid/other/app:1");
    }

    @Test
    @DisplayName("a ClusterTrustPolicy with a namespaceSelector governs an image only in namespaces labelled with -l")
    void namespaceLabels() {
        CliRun unlabelled = check(prodImage.reference());
        assertThat(unlabelled.out()).as(unlabelled.describe()).contains("not governed by any TrustPolicy");
        CliRun labelled = check("-l", "env=prod", prodImage.reference());
        assertThat(labelled.code()).as(labelled.describe()).isEqualTo(1);
        assertThat(labelled.out())
                .contains("ClusterTrustPolicy/cli-prod")
                .contains(prodImage.digest())
                .doesNotContain("not governed");
    }

    @Test
    @DisplayName("-f with a directory reads its manifests in name order")
    void manifestDirectory() throws Exception {
        Path dir = Files.createDirectories(base.resolve("manifests"));
        Files.writeString(dir.resolve("a-pod.yaml"), """
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "signed"},
                 "spec": {"containers": [{"name": "c", "image": "%s"}]}}
                """.formatted(signed.reference()));
        Files.writeString(dir.resolve("b-rs.json"), """
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs"},
                 "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "%s"}]}}}}
                """.formatted(signed.reference()));
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");
        CliRun run = check("-f", dir.toString());
        assertThat(run.code()).as(run.describe()).isEqualTo(0);
        assertThat(run.out().lines())
                .containsExactly("ALLOWED Pod/signed (namespace default)", "ALLOWED ReplicaSet/rs (namespace default)");
    }

    @Test
    @DisplayName("-f - reads the manifest from stdin, and malformed YAML there is an input error (exit 2)")
    void manifestFromStdin() {
        String job = """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: migrate, namespace: shop}
                spec: {template: {spec: {containers: [{name: m, image: "%s"}]}}}
                """.formatted(signed.reference());
        CliRun run = CliRun.withStdin(
                job,
                java.util.Map.of(),
                "check",
                "--policies",
                policies.toString(),
                "--insecure-registry",
                registry.host(),
                "-f",
                "-");
        assertThat(run.code()).as(run.describe()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("ALLOWED Job/migrate (namespace shop)\n");
        CliRun bad = CliRun.withStdin(
                "kind: Pod\nspec: [unclosed",
                java.util.Map.of(),
                "check",
                "--policies",
                policies.toString(),
                "-f",
                "-");
        assertThat(bad.code()).as(bad.describe()).isEqualTo(2);
        assertThat(bad.err())
                .startsWith("trustgate: <stdin> is not valid YAML or JSON:")
                .doesNotContain("\tat ");
    }

    @Test
    @DisplayName(
            "a policy directory that does not exist is a configuration error: exit 2, one line on stderr, no stack trace")
    void badPolicyDirectory() {
        CliRun run =
                CliRun.of("check", "--policies", base.resolve("no-such-dir").toString(), signed.reference());
        assertThat(run.code()).as(run.describe()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines())
                .singleElement()
                .asString()
                .startsWith("trustgate: cannot read policies:")
                .contains("no-such-dir");
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    @DisplayName("TRUSTGATE_POLICIES_DIR is the default policy directory")
    void policiesFromEnvironment() {
        CliRun run = CliRun.of(
                java.util.Map.of(
                        "TRUSTGATE_POLICIES_DIR",
                        policies.toString(),
                        "TRUSTGATE_INSECURE_REGISTRIES",
                        registry.host()),
                "check",
                signed.reference());
        assertThat(run.code()).as(run.describe()).isEqualTo(0);
    }

    @Test
    @DisplayName("usage errors exit 2: nothing to check, a missing manifest, an unknown option")
    void usageErrors() {
        CliRun nothing = check();
        assertThat(nothing.code()).isEqualTo(2);
        assertThat(nothing.err()).contains("name at least one IMAGE or -f MANIFEST");
        CliRun missing = check("-f", base.resolve("missing.yaml").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip())
                .isEqualTo("trustgate: cannot read " + base.resolve("missing.yaml") + ": no such file");
        CliRun unknown = check("--frobnicate", signed.reference());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("--frobnicate");
    }

    @Test
    @DisplayName(
            "a pinned name:tag@digest is ALLOWED when that digest is signed for name:tag, and DENIED for another tag or digest")
    void pinnedReference() {
        String pinned = signed.reference() + "@" + signed.digest();
        CliRun run = check(pinned);
        assertThat(run.code()).as(run.describe()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("ALLOWED image/" + pinned + " (namespace default)\n");

        String otherTag = registry.host() + "/" + signed.path() + ":2.0@" + signed.digest();
        CliRun wrongTag = check(otherTag);
        assertThat(wrongTag.code()).as(wrongTag.describe()).isEqualTo(1);
        assertThat(wrongTag.out())
                .contains("signed identity " + signed.reference())
                .contains("does not match " + otherTag);

        String otherDigest = signed.reference() + "@" + unsigned.digest();
        CliRun wrongDigest = check(otherDigest);
        assertThat(wrongDigest.code()).as(wrongDigest.describe()).isEqualTo(1);
        assertThat(wrongDigest.out()).contains("no GPG signatures for " + unsigned.digest());
    }

    /** The message the webhook's decision function gives for a one-container Pod, wired as the webhook wires it. */
    private String webhookMessage(String image) throws Exception {
        Vertx vertx = Vertx.vertx();
        TrustgateSettings settings =
                TrustgateSettings.fromEnvironment(java.util.Map.of("TRUSTGATE_INSECURE_REGISTRIES", registry.host()));
        try (VerifierStack stack =
                VerifierStack.create(vertx, settings.stack(java.time.Clock.systemUTC(), VerifierStack.Hooks.NONE))) {
            var set = new PolicyDirectory(policies, "trustgate", VerifierStack.keyCheck()).load();
            AdmissionHandler handler = AdmissionHandler.builder(() -> set, stack.verifier(), settings.deadline())
                    .build();
            ObjectNode review = JSON.createObjectNode();
            review.put("apiVersion", "admission.k8s.io/v1");
            review.put("kind", "AdmissionReview");
            ObjectNode request = review.putObject("request");
            request.put("uid", "direct");
            request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
            request.put("operation", "CREATE");
            request.put("namespace", "default");
            ArrayNode containers = request.putObject("object")
                    .put("kind", "Pod")
                    .putObject("spec")
                    .putArray("containers");
            containers.addObject().put("name", "c").put("image", image);
            AdmissionHandler.Decision d = handler.decide(review).get(30, TimeUnit.SECONDS);
            assertThat(d.allowed()).isFalse();
            return d.message();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
