package io.trustgate.bench;

import io.trustgate.testing.TestCa;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The benches' HTTPS side: a client that trusts the test CA, and the readiness probe of a trustgate on loopback. */
final class BenchHttp {

    /** How long one probe may take before it counts as no answer. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private BenchHttp() {}

    /** An HTTP client trusting only {@code ca}, speaking {@code version}. */
    static HttpClient tlsClient(TestCa ca, HttpClient.Version version, Duration connectTimeout) {
        return HttpClient.newBuilder()
                .sslContext(ca.clientContext())
                .version(version)
                .connectTimeout(connectTimeout)
                .build();
    }

    /** The status of {@code GET https://127.0.0.1:<port><path>}, or -1 when nothing answers in time. */
    static int status(HttpClient http, int port, String path) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                                    .timeout(PROBE_TIMEOUT)
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
