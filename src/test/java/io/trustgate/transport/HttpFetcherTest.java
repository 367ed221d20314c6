package io.trustgate.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.testing.Await;
import io.trustgate.testing.HostileServer;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.TestCa;
import io.trustgate.transport.HttpFetcher.Failure;
import io.trustgate.transport.HttpFetcher.FetchException;
import io.trustgate.transport.HttpFetcher.Request;
import io.trustgate.transport.HttpFetcher.Response;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One bounded exchange: {@link HttpFetcher} against the lookaside peer and the hostile server of the harness, and
 * against JDK HTTP stand-ins for the answers no real peer gives (redirect chains, declared oversize bodies, silence).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpFetcherTest {

    private static final long LIMIT = 1024;

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

    private HttpFetcher fetcher(TransportOptions options) {
        HttpFetcher fetcher = new HttpFetcher(vertx, options);
        toClose.add(fetcher);
        return fetcher;
    }

    private HttpFetcher fetcher() {
        return fetcher(TrustgateSettings.defaults().transport());
    }

    private String serve(HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", handler);
        server.start();
        toClose.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    private static void redirect(HttpExchange ex, int status, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        send(ex, status, new byte[0]);
    }

    private static Request get(String url) {
        return new Request(HttpMethod.GET, url, MultiMap.caseInsensitiveMultiMap(), LIMIT);
    }

    private static Response answer(Future<Response> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static FetchException failure(Future<Response> future) {
        CompletionException e = catchThrowableOfType(
                CompletionException.class,
                () -> future.toCompletionStage()
                        .toCompletableFuture()
                        .orTimeout(30, TimeUnit.SECONDS)
                        .join());
        assertThat(e).as("expected the exchange to fail").isNotNull();
        assertThat(e.getCause()).isInstanceOf(FetchException.class);
        return (FetchException) e.getCause();
    }

    @Test
    @DisplayName("a GET of a file on the lookaside peer returns its bytes; a missing file is a 404 with no body")
    void getAndNotFound(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("signature-1"), "signed bytes");
        try (LookasidePeer lookaside = LookasidePeer.serve("lookaside", dir)) {
            Response ok = answer(fetcher().fetch(get(lookaside.baseUrl() + "/signature-1")));
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.body().toString(StandardCharsets.UTF_8)).isEqualTo("signed bytes");
            assertThat(ok.url()).isEqualTo(lookaside.baseUrl() + "/signature-1");

            Response missing = answer(fetcher().fetch(get(lookaside.baseUrl() + "/signature-2")));
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.body().length()).isZero();

            Response head = answer(fetcher()
                    .fetch(new Request(
                            HttpMethod.HEAD,
                            lookaside.baseUrl() + "/signature-1",
                            MultiMap.caseInsensitiveMultiMap(),
                            LIMIT)));
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.body().length()).as("a HEAD reads no body").isZero();
            assertThat(lookaside.requestedPaths()).containsExactly("/signature-1", "/signature-2", "/signature-1");
        }
    }

    @Test
    @DisplayName("a 5xx is an answer, not a failure, and its body is not read")
    void serverErrorIsAnAnswer() throws Exception {
        try (HostileServer unavailable = HostileServer.start("unavailable", HostileServer.Behaviour.UNAVAILABLE)) {
            Response r = answer(fetcher().fetch(get("http://" + unavailable.host() + "/v2/")));
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isEqualTo("1");
            assertThat(r.body().length()).isZero();
        }
    }

    @Test
    @DisplayName("redirects are followed, relative ones too; Authorization stays on its host and is dropped elsewhere")
    void redirectsKeepCredentialsOnTheirHost() throws Exception {
        List<String> seenByOther = new CopyOnWriteArrayList<>();
        String other = serve(ex -> {
            seenByOther.add(ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("Authorization"));
            send(ex, 200, "blob".getBytes(StandardCharsets.UTF_8));
        });
        List<String> seenByFirst = new CopyOnWriteArrayList<>();
        String first = serve(ex -> {
            seenByFirst.add(ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("Authorization"));
            switch (ex.getRequestURI().getPath()) {
                case "/a" -> redirect(ex, 302, "/b");
                case "/b" -> redirect(ex, 307, other + "/c");
                default -> send(ex, 500, new byte[0]);
            }
        });
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer only-for-first");

        Response r = answer(fetcher().fetch(new Request(HttpMethod.GET, first + "/a", headers, LIMIT)));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().toString(StandardCharsets.UTF_8)).isEqualTo("blob");
        assertThat(r.url()).isEqualTo(other + "/c");
        assertThat(seenByFirst).containsExactly("/a Bearer only-for-first", "/b Bearer only-for-first");
        assertThat(seenByOther).containsExactly("/c null");
        assertThat(headers.get("Authorization"))
                .as("the caller's headers are not changed")
                .isEqualTo("Bearer only-for-first");
    }

    @Test
    @DisplayName("a redirect loop stops after the redirect limit with TOO_MANY_REDIRECTS")
    void redirectLimit() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        String loop = serve(ex -> {
            seen.add(ex.getRequestURI().getPath());
            redirect(ex, 301, "/again");
        });
        TransportOptions options = TrustgateSettings.defaults().transport();

        FetchException e = failure(fetcher(options).fetch(get(loop + "/start")));

        assertThat(e.failure).isEqualTo(Failure.TOO_MANY_REDIRECTS);
        assertThat(e.getMessage()).isEqualTo("more than " + options.maxRedirects() + " redirects");
        assertThat(e.url).isEqualTo(loop + "/again");
        assertThat(seen).as("the first request and maxRedirects redirects").hasSize(options.maxRedirects() + 1);
    }

    @Test
    @DisplayName("a 3xx without Location is returned as the answer")
    void redirectWithoutLocation() throws Exception {
        String host = serve(ex -> send(ex, 302, new byte[0]));
        assertThat(answer(fetcher().fetch(get(host + "/x"))).status()).isEqualTo(302);
    }

    @Test
    @DisplayName("an https server is trusted only through its CA, and its redirect to plain http is refused unsent")
    void httpsTrustAndDowngrade(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("signature-1"), "over tls");
        List<String> seenByPlain = new CopyOnWriteArrayList<>();
        String plain = serve(ex -> {
            seenByPlain.add(ex.getRequestURI().getPath());
            send(ex, 200, new byte[0]);
        });
        TestCa ca = TestCa.create(dir.resolve("ca"));
        try (LookasidePeer tls = LookasidePeer.serveTls("lookaside", dir, ca)) {
            String url = tls.baseUrl() + "/signature-1";
            FetchException untrusted = failure(fetcher().fetch(get(url)));
            assertThat(untrusted.failure).isEqualTo(Failure.UNTRUSTED);
            assertThat(untrusted.url).isEqualTo(url);

            HttpFetcher trusting = new HttpFetcher(
                    vertx,
                    TrustgateSettings.defaults().transport(),
                    UpstreamTrust.exclusive(TestCa.pem(ca.certificate())));
            toClose.add(trusting);
            Response ok = answer(trusting.fetch(get(url)));
            assertThat(ok.body().toString(StandardCharsets.UTF_8)).isEqualTo("over tls");
        }

        TestCa.Issued cert = ca.issueServer("redirector");
        com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ca.serverContext(cert)));
        https.createContext("/", ex -> redirect(ex, 308, plain + "/leak"));
        https.start();
        toClose.add(() -> https.stop(0));
        HttpFetcher trusting = new HttpFetcher(
                vertx, TrustgateSettings.defaults().transport(), UpstreamTrust.exclusive(TestCa.pem(ca.certificate())));
        toClose.add(trusting);
        String from = "https://127.0.0.1:" + https.getAddress().getPort() + "/moved";

        FetchException downgrade = failure(trusting.fetch(get(from)));

        assertThat(downgrade.failure).isEqualTo(Failure.DOWNGRADE);
        assertThat(downgrade.getMessage()).isEqualTo("refused redirect from https to " + plain + "/leak");
        assertThat(downgrade.url).isEqualTo(from);
        assertThat(seenByPlain).isEmpty();
    }

    @Test
    @DisplayName("a declared body over the limit fails TOO_LARGE before it is read")
    void declaredBodyOverLimit() throws Exception {
        String host = serve(ex -> send(ex, 200, new byte[(int) LIMIT + 1]));
        FetchException e = failure(fetcher().fetch(get(host + "/big")));
        assertThat(e.failure).isEqualTo(Failure.TOO_LARGE);
        assertThat(e.getMessage()).isEqualTo("body of " + (LIMIT + 1) + " bytes is over the limit of " + LIMIT);

        String exact = serve(ex -> send(ex, 200, new byte[(int) LIMIT]));
        assertThat(answer(fetcher().fetch(get(exact + "/fits"))).body().length())
                .isEqualTo((int) LIMIT);
    }

    @Test
    @DisplayName("an endless chunked body fails TOO_LARGE at the limit and the connection is cut")
    void endlessBodyIsCut() throws Exception {
        try (HostileServer endless = HostileServer.start("endless", HostileServer.Behaviour.ENDLESS_BODY)) {
            FetchException e = failure(fetcher().fetch(get("http://" + endless.host() + "/v2/x/manifests/1")));
            assertThat(e.failure).isEqualTo(Failure.TOO_LARGE);
            assertThat(e.getMessage()).isEqualTo("body over the limit of " + LIMIT + " bytes");
            Await.until("the client hangs up", Duration.ofSeconds(10), () -> endless.cutByClient() == 1);
            assertThat(endless.bytesSent())
                    .as("the server stops soon after the limit")
                    .isLessThan(64L * 1024 * 1024);
        }
    }

    @Test
    @DisplayName("a server that accepts but never answers fails TIMEOUT after the request timeout")
    void silentServerTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Duration timeout = Duration.ofMillis(700);
            HttpFetcher quick =
                    fetcher(TrustgateSettings.defaults().transport().withTimeouts(Duration.ofSeconds(2), timeout));
            long start = System.nanoTime();

            FetchException e = failure(quick.fetch(get("http://127.0.0.1:" + silent.getLocalPort() + "/x")));

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(e.failure).isEqualTo(Failure.TIMEOUT);
            assertThat(e.getMessage()).isEqualTo("no complete answer within " + timeout);
            assertThat(took).isGreaterThanOrEqualTo(timeout).isLessThan(timeout.plusSeconds(5));
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    @DisplayName("a closed port fails CONNECT; a URL that is not absolute http(s) fails BAD_URL without a request")
    void connectAndBadUrls() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        FetchException refused = failure(fetcher().fetch(get("http://127.0.0.1:" + closed + "/x")));
        assertThat(refused.failure).isEqualTo(Failure.CONNECT);
        assertThat(refused.getMessage()).startsWith("cannot connect: ");

        for (String bad : List.of("ftp://127.0.0.1/x", "/relative/path", "http:///no-host", "http://bad host/x")) {
            FetchException e = failure(fetcher().fetch(get(bad)));
            assertThat(e.failure).as(bad).isEqualTo(Failure.BAD_URL);
            assertThat(e.url).isEqualTo(bad);
        }
    }

    /**
     * A server on loopback that closes each connection after reading its request, without a word, until the
     * {@code answerFrom}-th connection (0-based), which gets a 200; it records each request line.
     */
    private String closingServer(int answerFrom, List<String> requestLines) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        toClose.add(server);
        Thread t = new Thread(
                () -> {
                    try {
                        for (int i = 0; ; i++) {
                            try (Socket s = server.accept()) {
                                StringBuilder head = new StringBuilder();
                                int b;
                                while (!head.toString().endsWith("\r\n\r\n")
                                        && (b = s.getInputStream().read()) >= 0) {
                                    head.append((char) b);
                                }
                                requestLines.add(
                                        head.toString().lines().findFirst().orElse(""));
                                if (i >= answerFrom) {
                                    s.getOutputStream()
                                            .write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                                                    .getBytes(StandardCharsets.US_ASCII));
                                    s.getOutputStream().flush();
                                }
                            }
                        }
                    } catch (IOException closed) {
                        // the server socket was closed: the test is over
                    }
                },
                "closing-server");
        t.setDaemon(true);
        t.start();
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    @Test
    @DisplayName("a GET whose connection is closed before any answer (a kept-alive connection the upstream dropped) is"
            + " sent once more on a new connection")
    void closedConnectionSentAgain() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        String base = closingServer(1, lines);
        Response ok = answer(fetcher().fetch(get(base + "/signature-1")));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().toString(StandardCharsets.UTF_8)).isEqualTo("ok");
        assertThat(lines).hasSize(2).allMatch(l -> l.startsWith("GET /signature-1 "));
    }

    @Test
    @DisplayName("an upstream that closes every connection is reported after the second try, never a third")
    void closingUpstreamReported() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        String base = closingServer(Integer.MAX_VALUE, lines);
        FetchException e = failure(fetcher().fetch(get(base + "/signature-1")));
        assertThat(e.failure).isEqualTo(Failure.CONNECT);
        assertThat(e.getMessage()).contains("connection closed before an answer");
        assertThat(lines).hasSize(2);
    }
}
