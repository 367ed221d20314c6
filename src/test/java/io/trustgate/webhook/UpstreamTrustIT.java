package io.trustgate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.Ports;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import io.trustgate.testing.TrustgateProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The packaged webhook, configured only through its environment, against a real docker-registry and a lookaside
 * store that serve HTTPS with certificates of a private CA, and a GPG signature made by {@code skopeo copy
 * --sign-by}: a Pod is admitted with the CA in {@code TRUSTGATE_CERTS_DIR}, and denied as "certificate not
 * trusted" by a webhook that was not given it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("the webhook with upstreams behind a private CA")
class UpstreamTrustIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path base;
    private TestCa serving;
    private RegistryPeer registry;
    private LookasidePeer lookaside;
    private GpgPeer gpg;
    private Path policies;
    private ImageFactory.PushedImage signed;

    @BeforeAll
    void start() throws Exception {
        base = Files.createTempDirectory("tg-webhook-upstream-ca-");
        serving = TestCa.create(base.resolve("serving-ca"));
        TestCa privateCa = TestCa.create(base.resolve("private-ca"));
        registry = RegistryPeer.builder("it-tls-registry").tls(privateCa).start();
        lookaside = LookasidePeer.serveTls("it-tls-lookaside", base.resolve("lookaside"), privateCa);
        gpg = GpgPeer.create();
        String alice = gpg.generateKey("Alice", "alice@example.test");
        policies = Files.createDirectories(base.resolve("policies"));
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", "ClusterTrustPolicy");
        p.putObject("metadata").put("name", "private-ca");
        ObjectNode spec = p.putObject("spec");
        spec.put("mode", "Enforce");
        spec.putArray("images").add(registry.host() + "/tls/**");
        spec.put("lookaside", lookaside.baseUrl());
        spec.putArray("signers")
                .addObject()
                .put("name", "alice")
                .putArray("keys")
                .add(gpg.exportPublic(alice));
        spec.put("minSignatures", 1);
        Files.writeString(policies.resolve("private-ca.json"), JSON.writeValueAsString(p));
        signed = ImageFactory.pushRandom(registry, "tls/app", "1.0");
        gpg.signImage(alice, signed.reference(), lookaside.root());
        for (String host : new String[] {registry.host(), lookaside.host()}) {
            Path dir = Files.createDirectories(base.resolve("certs.d").resolve(host));
            Files.copy(privateCa.certPem(), dir.resolve("ca.crt"));
        }
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {registry, lookaside, gpg}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private JsonNode review(Map<String, String> env) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("TRUSTGATE_POLICIES_DIR", policies.toString());
        try (TrustgateProcess tg = TrustgateProcess.start("it-upstream-ca", serving, Ports.free(), all)) {
            String body = """
                    {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
                     "kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"default",
                     "object":{"spec":{"containers":[{"name":"a","image":"%s"}]}}}}
                    """.formatted(signed.reference());
            HttpResponse<String> answer = serving.httpClient(Duration.ofSeconds(5))
                    .send(
                            HttpRequest.newBuilder(URI.create(tg.validateUrl()))
                                    .header("Content-Type", "application/json")
                                    .timeout(Duration.ofSeconds(30))
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            return JSON.readTree(answer.body()).path("response");
        }
    }

    @Test
    @DisplayName(
            "with TRUSTGATE_CERTS_DIR holding the CA for the registry's and the store's host:port, the Pod is admitted")
    void admittedWithCertsDir() throws Exception {
        JsonNode response =
                review(Map.of("TRUSTGATE_CERTS_DIR", base.resolve("certs.d").toString()));
        assertThat(response.path("allowed").asBoolean()).as(response.toString()).isTrue();
    }

    @Test
    @DisplayName(
            "without the CA the Pod is denied: the registry's certificate is not trusted, and the message names the host")
    void deniedWithoutCa() throws Exception {
        JsonNode response = review(Map.of());
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.at("/status/message").asText())
                .contains("certificate not trusted")
                .contains(registry.host())
                .contains("TRUSTGATE_CERTS_DIR");
    }
}
