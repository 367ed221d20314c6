package io.trustgate.transport;

import static io.trustgate.transport.VertxRegistryClientTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.notary.TrustDataFetcher;
import io.trustgate.notary.TrustDataNotFoundException;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.testing.MutableClock;
import io.trustgate.testing.NotaryCli;
import io.trustgate.testing.NotaryPeer;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.TestCa;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link VertxTrustDataFetcher} against the real {@code notary-server} (TLS from a test CA) and, for answers
 * that server never gives (token challenges, endless bodies, 5xx), JDK HTTP stand-ins.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Notary trust data over Vert.x")
class VertxTrustDataFetcherTest {

    private static final String GUN = "127.0.0.1:5000/fetcher/app";

    private Vertx vertx;
    private NotaryPeer notary;
    private String caPem;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    void start() throws IOException {
        vertx = Vertx.vertx();
        notary = NotaryPeer.start("fetcher-notary");
        caPem = Files.readString(notary.caPem());
        NotaryCli cli = notary.cli(PeerProcess.peerDir("fetcher-notary-cli").resolve("trust"));
        cli.init(GUN);
        cli.addhash(GUN, "1.0", 123, "ab".repeat(32));
        cli.publish(GUN);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
    }

    @AfterAll
    void stop() throws Exception {
        if (notary != null) {
            notary.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private VertxTrustDataFetcher fetcher(String server, String caBundle) {
        VertxTrustDataFetcher f = new VertxTrustDataFetcher(
                vertx, TrustgateSettings.defaults().transport(), MutableClock.now(), server, caBundle);
        toClose.add(f);
        return f;
    }

    private String serve(HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", handler);
        server.start();
        toClose.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Test
    @DisplayName("fetches role files byte for byte from the real server, trusting only the policy's CA bundle")
    void fetchesFromRealServer() {
        TrustDataFetcher f = VertxTrustDataFetcher.factory(
                        vertx, TrustgateSettings.defaults().transport(), MutableClock.now())
                .apply(new NotaryConfig(notary.url() + "/", caPem, List.of()));
        toClose.add((AutoCloseable) f);
        for (String role : List.of("root", "timestamp", "snapshot", "targets")) {
            assertThat(f.fetch(GUN, role, 1 << 20)
                            .orTimeout(10, TimeUnit.SECONDS)
                            .join())
                    .as(role)
                    .isEqualTo(notary.fetch(GUN, role));
        }
    }

    @Test
    @DisplayName("a file the server does not have (unknown GUN, 2.root) is TrustDataNotFoundException")
    void notFound() {
        VertxTrustDataFetcher f = fetcher(notary.url(), caPem);
        TrustDataNotFoundException e =
                failure(f.fetch("127.0.0.1:5000/fetcher/none", "root", 1 << 20), TrustDataNotFoundException.class);
        assertThat(e.gun()).isEqualTo("127.0.0.1:5000/fetcher/none");
        assertThat(e.role()).isEqualTo("root");
        assertThat(failure(f.fetch(GUN, "2.root", 1 << 20), TrustDataNotFoundException.class)
                        .role())
                .isEqualTo("2.root");
    }

    @Test
    @DisplayName("a file larger than maxBytes is refused with the limit in the message")
    void overLimit() {
        NotaryFetchException e =
                failure(fetcher(notary.url(), caPem).fetch(GUN, "root", 100), NotaryFetchException.class);
        assertThat(e.getMessage())
                .startsWith("trust data at " + notary.url() + "/v2/" + GUN + "/_trust/tuf/root.json refused")
                .contains("limit of 100");
    }

    @Test
    @DisplayName("a streamed body without Content-Length stops at the limit")
    void endlessBody() throws IOException {
        String server = serve(ex -> {
            ex.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = ex.getResponseBody()) {
                byte[] chunk = new byte[8192];
                for (int i = 0; i < 64; i++) {
                    out.write(chunk);
                    out.flush();
                }
            } catch (IOException expected) {
                // the client resets the stream once past its limit
            }
        });
        NotaryFetchException e =
                failure(fetcher(server, null).fetch(GUN, "timestamp", 10_000), NotaryFetchException.class);
        assertThat(e.getMessage()).contains("over the limit of 10000 bytes");
    }

    @Test
    @DisplayName(
            "TLS to a server whose CA is not the policy's caBundle (or, without one, not in the JVM trust store) fails with a hint")
    void wrongCa() {
        String otherCa = TestCa.pem(
                TestCa.create(PeerProcess.peerDir("fetcher-other-ca")).certificate());
        NotaryFetchException e =
                failure(fetcher(notary.url(), otherCa).fetch(GUN, "root", 1 << 20), NotaryFetchException.class);
        assertThat(e.getMessage())
                .startsWith("TLS connection to the Notary server")
                .contains("notary.caBundle");
        assertThat(failure(fetcher(notary.url(), null).fetch(GUN, "root", 1 << 20), NotaryFetchException.class)
                        .getMessage())
                .startsWith("TLS connection to the Notary server");
    }

    @Test
    @DisplayName(
            "a Bearer challenge is answered with an anonymous token for the challenge's scope, cached for the next fetch")
    void bearerChallenge() throws IOException {
        AtomicInteger tokenRequests = new AtomicInteger();
        AtomicInteger challenges = new AtomicInteger();
        List<String> seen = new CopyOnWriteArrayList<>();
        String[] base = new String[1];
        base[0] = serve(ex -> {
            String path = ex.getRequestURI().toString();
            if (path.startsWith("/token")) {
                tokenRequests.incrementAndGet();
                seen.add(path);
                send(ex, 200, "{\"token\":\"t-1\",\"expires_in\":300}");
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            seen.add(path + " " + auth);
            if (!"Bearer t-1".equals(auth)) {
                challenges.incrementAndGet();
                ex.getResponseHeaders()
                        .set(
                                "WWW-Authenticate",
                                "Bearer realm=\"" + base[0] + "/token\","
                                        + "service=\"notary.test\",scope=\"repository:" + GUN + ":pull,push\"");
                send(ex, 401, "");
                return;
            }
            send(ex, 200, "{\"signed\":{}}");
        });
        VertxTrustDataFetcher f = fetcher(base[0], null);
        assertThat(f.fetch(GUN, "root", 1 << 20).join())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("{\"signed\":{}}");
        assertThat(f.fetch(GUN, "timestamp", 1 << 20).join()).isNotEmpty();
        assertThat(tokenRequests).hasValue(1);
        assertThat(challenges)
                .as("the second fetch sends the cached token at once")
                .hasValue(1);
        assertThat(seen)
                .contains(
                        "/token?service=notary.test&scope=repository%3A127.0.0.1%3A5000%2Ffetcher%2Fapp%3Apull%2Cpush",
                        "/v2/" + GUN + "/_trust/tuf/timestamp.json Bearer t-1");
    }

    @Test
    @DisplayName("a refused token, a Basic challenge and a 5xx each fail with what to do")
    void refusals() throws IOException {
        String basic = serve(ex -> {
            ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"notary\"");
            send(ex, 401, "");
        });
        assertThat(failure(fetcher(basic, null).fetch(GUN, "root", 1 << 20), NotaryFetchException.class)
                        .getMessage())
                .contains("requires authentication trustgate does not speak");

        String[] base = new String[1];
        base[0] = serve(ex -> {
            if (ex.getRequestURI().getPath().equals("/token")) {
                send(ex, 200, "{\"token\":\"useless\"}");
                return;
            }
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"" + base[0] + "/token\",service=\"n\"");
            send(ex, 401, "");
        });
        NotaryFetchException refused =
                failure(fetcher(base[0], null).fetch(GUN, "root", 1 << 20), NotaryFetchException.class);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.getMessage()).contains("refused an anonymous pull token for " + GUN);

        String broken = serve(ex -> send(ex, 503, "down"));
        NotaryFetchException down =
                failure(fetcher(broken, null).fetch(GUN, "root", 1 << 20), NotaryFetchException.class);
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.getMessage()).contains("HTTP 503").contains("retry later");
    }

    @Test
    @DisplayName("role and GUN names that are not plain path segments never reach a URL")
    void unsafeNames() {
        VertxTrustDataFetcher f = fetcher(notary.url(), caPem);
        assertThat(failure(f.fetch(GUN, "targets/../../x", 1 << 20), NotaryFetchException.class)
                        .getMessage())
                .startsWith("refused to fetch trust data");
        assertThat(failure(f.fetch(GUN + "?x=1", "root", 1 << 20), NotaryFetchException.class)
                        .getMessage())
                .startsWith("refused to fetch trust data");
    }
}
