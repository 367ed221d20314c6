package io.trustgate.transport;

import static io.trustgate.transport.VertxRegistryClientTest.failure;
import static io.trustgate.transport.VertxRegistryClientTest.ref;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.lookaside.LookasideProtocolException;
import io.trustgate.lookaside.LookasideUnavailableException;
import io.trustgate.testing.LookasidePeer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VertxLookasideStoreTest {

    private static final String HEX = "cd".repeat(32);
    private static final String DIGEST = "sha256:" + HEX;
    private static final ImageReference REF = ref("127.0.0.1:5000/demo/app:1.0");

    private Vertx vertx;

    @BeforeAll
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Writes signature-1..count with content "sig-<n>" under the layout of {@link #REF}. */
    private static Path writeSignatures(Path root, int count) throws IOException {
        Path dir = root.resolve("demo/app@sha256=" + HEX);
        Files.createDirectories(dir);
        for (int n = 1; n <= count; n++) {
            Files.writeString(dir.resolve("signature-" + n), "sig-" + n);
        }
        return dir;
    }

    private static List<String> texts(List<byte[]> sigs) {
        return sigs.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    @DisplayName("over HTTP, signature-1..N are read in order until the first 404, in windows of 2, then 4")
    void httpUntil404(@TempDir Path root) throws Exception {
        writeSignatures(root, 3);
        try (LookasidePeer peer = LookasidePeer.serve("lookaside-store-http", root);
                VertxLookasideStore store = new VertxLookasideStore(
                        vertx, TrustgateSettings.defaults().transport())) {
            List<byte[]> sigs =
                    store.signatures(peer.baseUrl() + "/", REF, DIGEST).get(10, TimeUnit.SECONDS);
            assertThat(texts(sigs)).containsExactly("sig-1", "sig-2", "sig-3");
            String dir = "/demo/app@sha256=" + HEX + "/signature-";
            assertThat(peer.requestedPaths().subList(0, 2)).containsExactlyInAnyOrder(dir + 1, dir + 2);
            assertThat(peer.requestedPaths().subList(2, 6))
                    .containsExactlyInAnyOrder(dir + 3, dir + 4, dir + 5, dir + 6);
            assertThat(peer.requests()).isEqualTo(6);
        }
    }

    @Test
    @DisplayName("an image without signatures gives an empty list after one window: signature-1 and -2")
    void none(@TempDir Path root) throws Exception {
        try (LookasidePeer peer = LookasidePeer.serve("lookaside-store-none", root);
                VertxLookasideStore store = new VertxLookasideStore(
                        vertx, TrustgateSettings.defaults().transport())) {
            assertThat(store.signatures(peer.baseUrl(), REF, DIGEST).get(10, TimeUnit.SECONDS))
                    .isEmpty();
            assertThat(peer.requests()).isEqualTo(VertxLookasideStore.FIRST_WINDOW);
        }
    }

    @Test
    @DisplayName(
            "signature-1 and -2 are asked for at once: a store that answers -1 only after -2 was asked still serves")
    void firstWindowAtOnce() throws Exception {
        CountDownLatch secondAsked = new CountDownLatch(1);
        try (ScriptedStore peer = new ScriptedStore(path -> {
                    if (path.endsWith("/signature-1")) {
                        return secondAsked.await(5, TimeUnit.SECONDS) ? new Answer(200, "sig-1") : new Answer(503, "");
                    }
                    if (path.endsWith("/signature-2")) {
                        secondAsked.countDown();
                    }
                    return new Answer(404, "");
                });
                VertxLookasideStore store = new VertxLookasideStore(
                        vertx, TrustgateSettings.defaults().transport())) {
            long t0 = System.nanoTime();
            assertThat(texts(store.signatures(peer.baseUrl(), REF, DIGEST).get(10, TimeUnit.SECONDS)))
                    .containsExactly("sig-1");
            // One after the other, signature-1 would have waited out the 5 s and been a 503.
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    @DisplayName("a failure after the first missing file is ignored; one before it fails the read, naming its URL")
    void failuresInOrder() throws Exception {
        try (ScriptedStore afterGap = new ScriptedStore(
                        path -> path.endsWith("/signature-2") ? new Answer(500, "") : new Answer(404, ""));
                ScriptedStore beforeGap = new ScriptedStore(
                        path -> path.endsWith("/signature-1") ? new Answer(500, "") : new Answer(404, ""));
                ScriptedStore second = new ScriptedStore(path -> path.endsWith("/signature-1")
                        ? new Answer(200, "sig-1")
                        : path.endsWith("/signature-2") ? new Answer(503, "") : new Answer(404, ""));
                VertxLookasideStore store = new VertxLookasideStore(
                        vertx, TrustgateSettings.defaults().transport())) {
            assertThat(store.signatures(afterGap.baseUrl(), REF, DIGEST).get(10, TimeUnit.SECONDS))
                    .isEmpty();
            LookasideUnavailableException first =
                    failure(store.signatures(beforeGap.baseUrl(), REF, DIGEST), LookasideUnavailableException.class);
            assertThat(first.url()).endsWith("/signature-1");
            LookasideUnavailableException next =
                    failure(store.signatures(second.baseUrl(), REF, DIGEST), LookasideUnavailableException.class);
            assertThat(next.url()).endsWith("/signature-2");
        }
    }

    private record Answer(int status, String body) {}

    /**
     * A lookaside store whose answers a function of the path decides, each request on its own thread (so one held
     * answer does not hold the others), for the order and failure cases a directory of files cannot show.
     */
    private static final class ScriptedStore implements AutoCloseable {
        interface Script {
            Answer answer(String path) throws Exception;
        }

        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool();

        ScriptedStore(Script script) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(threads);
            server.createContext("/", exchange -> {
                try (exchange) {
                    Answer a = script.answer(exchange.getRequestURI().getRawPath());
                    byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
                    if (body.length > 0) {
                        exchange.getResponseBody().write(body);
                    }
                } catch (Exception e) {
                    exchange.sendResponseHeaders(599, -1);
                }
            });
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    @Test
    @DisplayName("no more than maxSignatures are fetched")
    void bounded(@TempDir Path root) throws Exception {
        writeSignatures(root, 20);
        try (LookasidePeer peer = LookasidePeer.serve("lookaside-store-bounded", root);
                VertxLookasideStore store = new VertxLookasideStore(
                        vertx, TrustgateSettings.defaults().transport().withSignatureLimits(5, 1024))) {
            assertThat(store.signatures(peer.baseUrl(), REF, DIGEST).get(10, TimeUnit.SECONDS))
                    .hasSize(5);
            assertThat(peer.requests()).isEqualTo(5);
        }
    }

    @Test
    @DisplayName("a signature file over the size limit is refused, over HTTP and from file://")
    void tooBig(@TempDir Path root) throws Exception {
        Path dir = writeSignatures(root, 1);
        Files.write(dir.resolve("signature-2"), new byte[2048]);
        TransportOptions small = TrustgateSettings.defaults().transport().withSignatureLimits(16, 1024);
        try (LookasidePeer peer = LookasidePeer.serve("lookaside-store-big", root);
                VertxLookasideStore store = new VertxLookasideStore(vertx, small)) {
            LookasideProtocolException e =
                    failure(store.signatures(peer.baseUrl(), REF, DIGEST), LookasideProtocolException.class);
            assertThat(e.url()).endsWith("/signature-2");
            assertThat(e.getMessage()).contains("over the limit of 1024");
            LookasideProtocolException f =
                    failure(store.signatures(root.toUri().toString(), REF, DIGEST), LookasideProtocolException.class);
            assertThat(f.url()).startsWith("file:").endsWith("/signature-2");
        }
    }

    @Test
    @DisplayName("a file:// base is read from disk with the same rules")
    void fileBase(@TempDir Path root) throws Exception {
        writeSignatures(root, 2);
        try (VertxLookasideStore store =
                new VertxLookasideStore(vertx, TrustgateSettings.defaults().transport())) {
            assertThat(texts(store.signatures(root.toUri().toString(), REF, DIGEST)
                            .get(10, TimeUnit.SECONDS)))
                    .containsExactly("sig-1", "sig-2");
            assertThat(store.signatures("file://" + root.resolve("missing"), REF, DIGEST)
                            .get(10, TimeUnit.SECONDS))
                    .isEmpty();
        }
    }

    @Test
    @DisplayName(
            "signatures written by skopeo --sign-by are fetched byte for byte, over HTTP and file://, for the digest the registry resolves")
    void realSignatures(@TempDir Path tmp) throws Exception {
        try (io.trustgate.testing.RegistryPeer registry = io.trustgate.testing.RegistryPeer.builder("lookaside-e2e")
                        .start();
                io.trustgate.testing.GpgPeer gpg = io.trustgate.testing.GpgPeer.create();
                LookasidePeer peer = LookasidePeer.serve("lookaside-e2e-http", tmp.resolve("sigs"));
                VertxRegistryClient registryClient = new VertxRegistryClient(
                        vertx,
                        TrustgateSettings.defaults().transport().withInsecureHosts(registry.host()),
                        java.time.Clock.systemUTC());
                VertxLookasideStore store = new VertxLookasideStore(
                        vertx, TrustgateSettings.defaults().transport())) {
            io.trustgate.testing.ImageFactory.PushedImage image =
                    io.trustgate.testing.ImageFactory.pushRandom(registry, "demo/app", "1.0");
            String a = gpg.generateKey("Signer A", "a@example.test");
            String b = gpg.generateKey("Signer B", "b@example.test");
            gpg.signImage(a, image.reference(), peer.root());
            io.trustgate.testing.GpgPeer.Signed signed = gpg.signImage(b, image.reference(), peer.root());
            ImageReference ref = ref(image.reference());
            String digest = registryClient
                    .resolve(ref, io.trustgate.registry.RegistryCredentials.ANONYMOUS)
                    .get(10, TimeUnit.SECONDS)
                    .digest();

            List<byte[]> overHttp =
                    store.signatures(peer.baseUrl(), ref, digest).get(10, TimeUnit.SECONDS);
            List<byte[]> fromDisk = store.signatures(peer.root().toUri().toString(), ref, digest)
                    .get(10, TimeUnit.SECONDS);
            assertThat(overHttp).hasSize(2);
            assertThat(overHttp.get(0))
                    .isEqualTo(Files.readAllBytes(signed.signatures().get(0)));
            assertThat(overHttp.get(1))
                    .isEqualTo(Files.readAllBytes(signed.signatures().get(1)));
            assertThat(fromDisk).hasSize(2);
            assertThat(fromDisk.get(1)).isEqualTo(overHttp.get(1));
        }
    }

    @Test
    @DisplayName("an unreachable store fails with LookasideUnavailableException naming the URL")
    void unreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (VertxLookasideStore store =
                new VertxLookasideStore(vertx, TrustgateSettings.defaults().transport())) {
            LookasideUnavailableException e = failure(
                    store.signatures("http://127.0.0.1:" + port, REF, DIGEST), LookasideUnavailableException.class);
            assertThat(e.url()).isEqualTo("http://127.0.0.1:" + port + "/demo/app@sha256=" + HEX + "/signature-1");
        }
    }

    @Test
    @DisplayName("a malformed digest or an unsupported scheme is refused before any I/O")
    void refused() {
        try (VertxLookasideStore store =
                new VertxLookasideStore(vertx, TrustgateSettings.defaults().transport())) {
            failure(
                    store.signatures("http://127.0.0.1:1", REF, "sha256:../../etc/passwd"),
                    LookasideProtocolException.class);
            failure(store.signatures("ftp://127.0.0.1/", REF, DIGEST), LookasideProtocolException.class);
        }
    }
}
