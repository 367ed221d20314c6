package io.trustgate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The running webhook over HTTPS with a lookaside store that accepts connections and never answers (a real
 * Toxiproxy {@code timeout} toxic in front of it): the review is denied within the deadline with a message
 * naming the store, a review that needs no upstream is answered at once meanwhile (nothing blocks the event
 * loop), and once the store answers again the next review is admitted. The full matrix of faults runs against
 * the same stack in {@code io.trustgate.transport.FaultInjectionTest}.
 */
@QuarkusTest
@QuarkusTestResource(value = WebhookFaultPeers.class, restrictToAnnotatedClass = true)
class WebhookFaultTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MARGIN = Duration.ofSeconds(2);

    WebhookFaultPeers.Peers peers;

    @AfterEach
    void heal() {
        peers.lookaside().enabled(false).heal().enabled(true).awaitClientsClosed(Duration.ofSeconds(20));
    }

    @Test
    @DisplayName(
            "a silent lookaside store gives a denial naming it within the deadline, and the next review is admitted")
    void silentLookasideDeniesThenRecovers() throws Exception {
        HttpClient http = peers.ca().httpClient(Duration.ofSeconds(5));
        awaitAdmitted(http);

        peers.lookaside()
                .toxic("timeout", "downstream", Map.of("timeout", 0))
                .enabled(false)
                .enabled(true)
                .awaitClientsClosed(Duration.ofSeconds(20));
        long start = System.nanoTime();
        CompletableFuture<JsonNode> slow = post(http, peers.image().reference());
        JsonNode ungoverned = post(http, "evil.example.com/x:1").get(MARGIN.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(ungoverned.path("allowed").asBoolean()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("answered while the other review waits")
                .isLessThan(MARGIN);

        JsonNode denied = slow.get(WebhookFaultPeers.DEADLINE.plus(MARGIN).toMillis() + 5_000, TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(denied.path("allowed").asBoolean()).isFalse();
        assertThat(took).isLessThan(WebhookFaultPeers.DEADLINE.plus(MARGIN));
        assertThat(denied.path("status").path("message").asText())
                .contains(peers.image().reference())
                .contains("lookaside http://" + peers.lookaside().host());

        heal();
        JsonNode next = post(http, peers.image().reference()).get(10, TimeUnit.SECONDS);
        assertThat(next.path("allowed").asBoolean())
                .as(next.path("status").path("message").asText())
                .isTrue();
    }

    /** The first review after start-up warms the JIT and the connection pools; it must be admitted in time. */
    private void awaitAdmitted(HttpClient http) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = post(http, peers.image().reference()).get(30, TimeUnit.SECONDS);
            if (last.path("allowed").asBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the signed image was never admitted: " + last);
    }

    /** Posts a Pod review and answers with its {@code response}. */
    private CompletableFuture<JsonNode> post(HttpClient http, String image) throws Exception {
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"default",
                 "object":{"spec":{"containers":[{"name":"a","image":"%s"}]}}}}""".formatted(UUID.randomUUID(), image);
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + peers.port() + "/validate"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(review))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            try {
                return JSON.readTree(r.body()).path("response");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
