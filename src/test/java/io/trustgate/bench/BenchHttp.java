package io.trustgate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The benches' HTTPS side: a client that trusts the test CA, and the readiness probe of a trustgate on loopback. */
final class BenchHttp {

    /** How long one probe may take before it counts as no answer. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private BenchHttp() {}

    /** An HTTP client trusting only the CA of {@code caPem}, speaking {@code version}. */
    static HttpClient tlsClient(Path caPem, HttpClient.Version version, Duration connectTimeout) {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return HttpClient.newBuilder()
                    .sslContext(tls)
                    .version(version)
                    .connectTimeout(connectTimeout)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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
