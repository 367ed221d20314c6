package io.trustgate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.admission.ReviewParser;
import io.trustgate.testing.Ports;
import io.trustgate.testing.TestCa;
import io.trustgate.testing.TrustgateProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review bodies over {@link ReviewParser#EVENT_LOOP_PARSE_BYTES} are parsed on a worker: the packaged webhook
 * answers them (a decision, or a 400 naming the bound they cross), answers a small review sent while several
 * of them are being parsed, and its {@code trustgate_review_parses_total} metric, counted by the parsing thread,
 * shows that the large ones were parsed on workers and the small ones on the event loop.
 */
class ReviewBodyOffloadIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String review(String uid, String padding) {
        return """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"default",
                 "object":{"metadata":{"name":"p","annotations":{"pad":"%s"}},
                 "spec":{"containers":[{"name":"a","image":"ungoverned.example.com/x:1"}]}}}}""".formatted(uid, padding);
    }

    /** A review just under the size bound: 8 string values of just under 1 MiB each. */
    private static String hugeReview(String uid) {
        StringBuilder pad = new StringBuilder();
        String value = "x".repeat(ReviewParser.MAX_STRING_LENGTH - 64);
        for (int i = 0; i < 7; i++) {
            pad.append(i == 0 ? "" : "\",\"p").append(i == 0 ? "" : i + "\":\"").append(value);
        }
        return review(uid, pad.toString());
    }

    private static CompletableFuture<HttpResponse<String>> post(HttpClient http, int port, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/validate"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode response(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("response");
    }

    /** {@code trustgate_review_parses_total{thread="..."}} from a Prometheus scrape; 0 when absent. */
    private static long parses(String metrics, String thread) {
        return metrics.lines()
                .filter(l -> l.startsWith("trustgate_review_parses_total{") && l.contains("thread=\"" + thread + "\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    @DisplayName(
            "huge reviews are parsed off the event loop (the parsing thread says so): they are decided, and a small"
                    + " review meanwhile is too")
    void hugeBodiesDoNotHoldSmallReviews(@TempDir Path dir) throws Exception {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        TestCa ca = TestCa.create(dir.resolve("ca"));
        int port = Ports.free();
        try (TrustgateProcess tg = TrustgateProcess.start(
                "review-offload", ca, port, Map.of("TRUSTGATE_POLICIES_DIR", policies.toString()))) {
            HttpClient http = ca.httpClient(Duration.ofSeconds(10));
            String huge = hugeReview("huge");
            assertThat(huge.length())
                    .isGreaterThan(ReviewParser.EVENT_LOOP_PARSE_BYTES)
                    .isLessThanOrEqualTo(ReviewParser.MAX_REVIEW_BYTES);
            assertThat(response(post(http, port, review("warm", "")).get(60, TimeUnit.SECONDS))
                            .path("uid")
                            .asText())
                    .isEqualTo("warm");

            List<CompletableFuture<HttpResponse<String>>> big = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                big.add(post(http, port, huge.replace("\"uid\":\"huge\"", "\"uid\":\"huge-" + i + "\"")));
            }
            JsonNode small = response(post(http, port, review("small", "")).get(30, TimeUnit.SECONDS));
            assertThat(small.path("uid").asText()).isEqualTo("small");
            for (int i = 0; i < big.size(); i++) {
                JsonNode answer = response(big.get(i).get(60, TimeUnit.SECONDS));
                assertThat(answer.path("uid").asText()).isEqualTo("huge-" + i);
                assertThat(answer.has("allowed")).isTrue();
            }

            String tooDeep = huge.replace(
                    "\"pad\":\"",
                    "\"deep\":" + "{\"a\":".repeat(ReviewParser.MAX_NESTING_DEPTH) + "1"
                            + "}".repeat(ReviewParser.MAX_NESTING_DEPTH) + ",\"pad\":\"");
            HttpResponse<String> refused = post(http, port, tooDeep).get(60, TimeUnit.SECONDS);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(refused.body()).path("reason").asText())
                    .contains("nesting depth")
                    .contains(String.valueOf(ReviewParser.MAX_NESTING_DEPTH));

            // Which thread parsed each body, as the parsing thread itself reported it (Vert.x' own test of
            // Context.isOnEventLoopThread()): the two small reviews on the event loop, the four huge ones and the
            // too-deep one on workers. Parsing a huge body on the event loop would count it there and fail here.
            String metrics = http.send(
                            HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/q/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(parses(metrics, "worker")).as(metrics).isEqualTo(big.size() + 1);
            assertThat(parses(metrics, "event-loop")).as(metrics).isEqualTo(2);
        }
    }
}
