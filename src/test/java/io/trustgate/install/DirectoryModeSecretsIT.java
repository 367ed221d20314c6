package io.trustgate.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.k8s.PlantedSecrets;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.Ports;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import io.trustgate.testing.TrustgateProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The packaged trustgate in directory mode with Secrets holding planted values (unusable keys for keysFrom, a
 * malformed pull secret with a password): what it says about them names the Secret and key, and no planted
 * value reaches its log, its readiness answer, a review's answer or {@code /q/metrics}.
 */
class DirectoryModeSecretsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName(
            "directory mode: planted Secret values appear in no log line, review answer, readiness answer or metric")
    void noSecretsInLogsOrMetrics() throws Exception {
        Path base = Files.createTempDirectory("tg-dir-secrets-");
        TestCa ca = TestCa.create(base.resolve("ca"));
        try (RegistryPeer registry =
                RegistryPeer.builder("dir-secrets-registry").start()) {
            PushedImage image = ImageFactory.pushRandom(registry, "demo/planted-pgp/app", "1.0");
            PushedImage pulled = ImageFactory.pushRandom(registry, "demo/pulls/app", "1.0");
            Path policies = Files.createDirectories(base.resolve("policies"));
            StringBuilder yaml = new StringBuilder("""
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: planted, namespace: trustgate}
                    data:
                    """);
            PlantedSecrets.KEYS.forEach((k, v) ->
                    yaml.append("  ").append(k).append(": ").append(b64(v)).append('\n'));
            yaml.append("""
                    ---
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: planted-pull, namespace: apps}
                    data: {.dockerconfigjson: %s}
                    """.formatted(b64(PlantedSecrets.BAD_DOCKERCONFIG)));
            Map.of("pgp.asc", "planted-pgp", "key.pem", "planted-pem", "ids", "planted-ids")
                    .forEach((key, name) ->
                            yaml.append("""
                            ---
                            apiVersion: trustgate.io/v1alpha1
                            kind: ClusterTrustPolicy
                            metadata: {name: %s}
                            spec:
                              images: ["%s/demo/%s/**"]
                              lookaside: https://127.0.0.1:1
                              notary: {server: "https://127.0.0.1:1", rootKeys: ["%s"]}
                              signers: [{name: team, keysFrom: {secretKeyRef: {name: planted, key: "%s"}}}]
                            """.formatted(name, registry.host(), name, "ab".repeat(32), key)));
            // a valid policy, so that the other image is resolved at the registry with the pod's pull secret
            yaml.append("""
                    ---
                    apiVersion: trustgate.io/v1alpha1
                    kind: ClusterTrustPolicy
                    metadata: {name: pulls}
                    spec:
                      images: ["%s/demo/pulls/**"]
                      notary: {server: "https://127.0.0.1:1", rootKeys: ["%s"]}
                      signers: [{name: team, keys: ["%s"]}]
                    """.formatted(registry.host(), "ab".repeat(32), "cd".repeat(32)));
            Files.writeString(policies.resolve("planted.yaml"), yaml);

            int port = Ports.free();
            try (TrustgateProcess trustgate = TrustgateProcess.start(
                    "trustgate-dir-secrets",
                    ca,
                    port,
                    Map.of(
                            "TRUSTGATE_POLICIES_DIR", policies.toString(),
                            "TRUSTGATE_STATE_DIR", base.resolve("state").toString(),
                            "TRUSTGATE_INSECURE_REGISTRIES", registry.host()))) {
                String review = JSON.writeValueAsString(Map.of(
                        "apiVersion",
                        "admission.k8s.io/v1",
                        "kind",
                        "AdmissionReview",
                        "request",
                        Map.of(
                                "uid",
                                "1",
                                "kind",
                                Map.of("group", "", "version", "v1", "kind", "Pod"),
                                "operation",
                                "CREATE",
                                "namespace",
                                "apps",
                                "object",
                                Map.of(
                                        "spec",
                                        Map.of(
                                                "imagePullSecrets", List.of(Map.of("name", "planted-pull")),
                                                "containers",
                                                        List.of(
                                                                Map.of("name", "a", "image", image.reference()),
                                                                Map.of("name", "b", "image", pulled.reference())))))));
                var http = ca.httpClient(Duration.ofSeconds(5));
                String answer = http.send(
                                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/validate"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(review))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                JsonNode response = JSON.readTree(answer).path("response");
                assertThat(response.path("allowed").asBoolean(true)).isFalse();
                assertThat(response.path("status").path("message").asText())
                        .as("the broken policy's reason names the Secret and key")
                        .contains("ClusterTrustPolicy/planted-pgp")
                        .contains("Secret trustgate/planted key \"pgp.asc\"");
                String ready = http.send(
                                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/q/health/ready"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                String metrics = http.send(
                                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/q/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                String log = Files.readString(trustgate.process().log());
                assertThat(log)
                        .contains("policy ClusterTrustPolicy/planted-pem is broken")
                        .contains("pull secret apps/planted-pull: key .dockerconfigjson is not a valid docker config");
                for (String mark : PlantedSecrets.MARKS) {
                    for (String seen : List.of(log, answer, ready, metrics)) {
                        assertThat(seen).doesNotContain(mark).doesNotContain(mark.substring(0, 4));
                    }
                }
            }
        }
    }
}
