package io.trustgate.transport;

import static io.trustgate.transport.VertxRegistryClientTest.failure;
import static io.trustgate.transport.VertxRegistryClientTest.ref;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.MediaTypes;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryProtocolException;
import io.trustgate.registry.RegistryUnavailableException;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.MutableClock;
import io.trustgate.testing.TestCa;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VertxRegistryClient} against JDK HTTP stand-ins, for answers the real registry never gives:
 * a missing or malformed {@code Docker-Content-Digest}, oversized bodies, silence, 5xx, redirects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VertxRegistryClientStandInTest {

    private static final byte[] MANIFEST =
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
                    .getBytes(StandardCharsets.UTF_8);
    private static final String MANIFEST_DIGEST = "sha256:" + ImageFactory.sha256Hex(MANIFEST);

    private Vertx vertx;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
    }

    @AfterAll
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String serve(HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", handler);
        server.start();
        toClose.add(() -> server.stop(0));
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private VertxRegistryClient client(TransportOptions options) {
        VertxRegistryClient client = new VertxRegistryClient(vertx, options, MutableClock.now());
        toClose.add(client);
        return client;
    }

    private VertxRegistryClient insecureClient(String host) {
        return client(TrustgateSettings.defaults().transport().withInsecureHosts(host));
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    @Test
    @DisplayName("without Docker-Content-Digest the manifest is fetched and its sha256 is the digest")
    void missingDigestHeader() throws Exception {
        List<String> seen = new ArrayList<>();
        String host = serve(ex -> {
            seen.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " "
                    + ex.getRequestHeaders().getFirst("Accept"));
            send(ex, 200, MediaTypes.OCI_MANIFEST + "; charset=utf-8", MANIFEST);
        });
        ManifestDescriptor d = insecureClient(host)
                .resolve(ref(host + "/demo/app:1.0"), RegistryCredentials.ANONYMOUS)
                .join();
        assertThat(d.digest()).isEqualTo(MANIFEST_DIGEST);
        assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(d.size()).isEqualTo(MANIFEST.length);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0))
                .startsWith("HEAD /v2/demo/app/manifests/1.0 ")
                .contains(
                        MediaTypes.OCI_INDEX,
                        MediaTypes.OCI_MANIFEST,
                        MediaTypes.DOCKER_MANIFEST_LIST,
                        MediaTypes.DOCKER_MANIFEST_V2);
        assertThat(seen.get(1)).startsWith("GET /v2/demo/app/manifests/1.0 ");
    }

    @Test
    @DisplayName("a digest reference whose fetched manifest hashes differently is a protocol error")
    void digestMismatch() throws Exception {
        String host = serve(ex -> send(ex, 200, MediaTypes.OCI_MANIFEST, MANIFEST));
        String asked = "sha256:" + "a".repeat(64);
        RegistryProtocolException e = failure(
                insecureClient(host).resolve(ref(host + "/demo/app@" + asked), RegistryCredentials.ANONYMOUS),
                RegistryProtocolException.class);
        assertThat(e.getMessage()).contains(asked).contains(MANIFEST_DIGEST);
    }

    @Test
    @DisplayName("a malformed Docker-Content-Digest header is a protocol error")
    void malformedDigest() throws Exception {
        String host = serve(ex -> {
            ex.getResponseHeaders().set("Docker-Content-Digest", "md5:1234");
            send(ex, 200, MediaTypes.OCI_MANIFEST, MANIFEST);
        });
        RegistryProtocolException e = failure(
                insecureClient(host).resolve(ref(host + "/demo/app:1.0"), RegistryCredentials.ANONYMOUS),
                RegistryProtocolException.class);
        assertThat(e.getMessage()).contains("malformed Docker-Content-Digest").contains("md5:1234");
    }

    @Test
    @DisplayName("a manifest over the limit is refused whether its length is declared or streamed")
    void bodyOverLimit() throws Exception {
        byte[] big = new byte[64 * 1024];
        AtomicInteger written = new AtomicInteger();
        String host = serve(ex -> {
            if (ex.getRequestMethod().equals("HEAD")) {
                send(ex, 200, MediaTypes.OCI_MANIFEST, big);
                return;
            }
            boolean chunked = ex.getRequestURI().getPath().endsWith("chunked");
            ex.sendResponseHeaders(200, chunked ? 0 : big.length);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 16; i++) {
                    out.write(big, 0, 4096);
                    written.addAndGet(4096);
                }
            } catch (IOException expected) {
                // the client hung up once it had seen enough
            }
        });
        VertxRegistryClient client = client(
                TrustgateSettings.defaults().transport().withInsecureHosts(host).withMaxManifestBytes(8192));
        RegistryProtocolException declared = failure(
                client.resolve(ref(host + "/demo/app:declared"), RegistryCredentials.ANONYMOUS),
                RegistryProtocolException.class);
        assertThat(declared.getMessage()).contains("65536 bytes is over the limit of 8192");
        RegistryProtocolException streamed = failure(
                client.resolve(ref(host + "/demo/app:chunked"), RegistryCredentials.ANONYMOUS),
                RegistryProtocolException.class);
        assertThat(streamed.getMessage()).contains("over the limit of 8192");
        assertThat(streamed.hint()).contains("8192");
    }

    @Test
    @DisplayName("a server that never answers fails with RegistryUnavailableException within the timeout")
    void neverAnswers() throws Exception {
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        // Holds the accepted sockets so they stay open, unread and unanswered; never read back.
        @SuppressWarnings("ModifiedButNotUsed")
        List<Socket> accepted = new ArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(silent.accept()); // accept, read nothing, answer nothing
                }
            } catch (IOException closed) {
                // test over
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        toClose.add(silent);
        String host = "127.0.0.1:" + silent.getLocalPort();
        VertxRegistryClient client = client(TrustgateSettings.defaults()
                .transport()
                .withInsecureHosts(host)
                .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(700)));
        long start = System.nanoTime();
        RegistryUnavailableException e = failure(
                client.resolve(ref(host + "/demo/app:1.0"), RegistryCredentials.ANONYMOUS),
                RegistryUnavailableException.class);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).isLessThan(3000);
        assertThat(e.getMessage()).contains("no answer within 700 ms");
        assertThat(e.status()).isZero();
    }

    @Test
    @DisplayName("a refused connection fails with RegistryUnavailableException naming the host")
    void refused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String host = "127.0.0.1:" + port;
        RegistryUnavailableException e = failure(
                insecureClient(host).resolve(ref(host + "/demo/app:1.0"), RegistryCredentials.ANONYMOUS),
                RegistryUnavailableException.class);
        assertThat(e.getMessage()).contains("cannot reach http://" + host);
    }

    @Test
    @DisplayName("a 5xx answer is RegistryUnavailableException with the status")
    void serverError() throws Exception {
        String host = serve(ex -> send(ex, 503, "text/plain", new byte[0]));
        RegistryUnavailableException e = failure(
                insecureClient(host).resolve(ref(host + "/demo/app:1.0"), RegistryCredentials.ANONYMOUS),
                RegistryUnavailableException.class);
        assertThat(e.status()).isEqualTo(503);
    }

    @Test
    @DisplayName("credentials are not carried across a redirect to another host")
    void redirectDropsAuthorization() throws Exception {
        List<String> seenByOther = new ArrayList<>();
        String other = serve(ex -> {
            seenByOther.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            ex.getResponseHeaders().set("Docker-Content-Digest", MANIFEST_DIGEST);
            send(ex, 200, MediaTypes.OCI_MANIFEST, MANIFEST);
        });
        String host = serve(ex -> {
            if (ex.getRequestHeaders().getFirst("Authorization") == null) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"stand-in\"");
                send(ex, 401, "application/json", new byte[0]);
                return;
            }
            ex.getResponseHeaders().set("Location", "http://" + other + ex.getRequestURI());
            send(ex, 307, null, new byte[0]);
        });
        ManifestDescriptor d = insecureClient(host)
                .resolve(ref(host + "/demo/app:1.0"), new RegistryCredentials("alice", "s3cret"))
                .join();
        assertThat(d.digest()).isEqualTo(MANIFEST_DIGEST);
        assertThat(seenByOther).containsExactly("null");
    }

    @Test
    @DisplayName("over HTTPS with an extra CA the registry is trusted, and a redirect to plain http is refused")
    void httpsExtraCaAndDowngrade(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.create(dir);
        TestCa.Issued cert = ca.issueServer("registry");
        String plain = serve(ex -> send(ex, 200, MediaTypes.OCI_MANIFEST, MANIFEST));
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext(cert)));
        server.createContext("/", ex -> {
            if (ex.getRequestURI().getPath().endsWith("/moved")) {
                ex.getResponseHeaders().set("Location", "http://" + plain + "/v2/demo/app/manifests/1.0");
                send(ex, 307, null, new byte[0]);
                return;
            }
            ex.getResponseHeaders().set("Docker-Content-Digest", MANIFEST_DIGEST);
            send(ex, 200, MediaTypes.OCI_MANIFEST, MANIFEST);
        });
        server.start();
        toClose.add(() -> server.stop(0));
        String host = "127.0.0.1:" + server.getAddress().getPort();

        VertxRegistryClient trusting =
                client(TrustgateSettings.defaults().transport().withTrust(UpstreamTrust.load(ca.certPem(), null)));
        assertThat(trusting.resolve(ref(host + "/demo/app:1.0"), RegistryCredentials.ANONYMOUS)
                        .join()
                        .digest())
                .isEqualTo(MANIFEST_DIGEST);
        RegistryProtocolException e = failure(
                trusting.resolve(ref(host + "/demo/app:moved"), RegistryCredentials.ANONYMOUS),
                RegistryProtocolException.class);
        assertThat(e.getMessage()).contains("refused redirect from https to http://" + plain);

        RegistryUnavailableException untrusted = failure(
                client(TrustgateSettings.defaults().transport())
                        .resolve(ref(host + "/demo/app:1.0"), RegistryCredentials.ANONYMOUS),
                RegistryUnavailableException.class);
        assertThat(untrusted.getMessage()).contains("certificate not trusted").contains(host);
        assertThat(untrusted.hint()).contains("private CA");
    }
}
