package io.trustgate.transport;

import static io.trustgate.transport.VertxRegistryClientTest.failure;
import static io.trustgate.transport.VertxRegistryClientTest.ref;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.registry.MediaTypes;
import io.trustgate.registry.Referrer;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryProtocolException;
import io.trustgate.testing.MutableClock;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Paging of the referrers API ({@code Link: <...>; rel="next"}) and its bounds, against a JDK HTTP stand-in: no
 * registry on this machine pages its referrers list (go-containerregistry's answers in one page).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferrersPagingStandInTest {

    private static final String DIGEST = "sha256:" + "a".repeat(64);
    private static final String NOTATION = "application/vnd.cncf.notary.signature";

    private Vertx vertx;
    private HttpServer server;
    private VertxRegistryClient client;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stopServer() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop(0);
        }
        seen.clear();
    }

    @AfterAll
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Serves page {@code n} (1-based) of the referrers list, with the Link header {@code link.apply(n)}. */
    private String serve(int entriesPerPage, IntFunction<String> link) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            seen.add(ex.getRequestURI().toString());
            String query = ex.getRequestURI().getQuery();
            int page = query != null && query.contains("page=")
                    ? Integer.parseInt(query.substring(query.indexOf("page=") + 5))
                    : 1;
            StringBuilder entries = new StringBuilder();
            for (int i = 0; i < entriesPerPage; i++) {
                if (i > 0) {
                    entries.append(',');
                }
                String hex = String.format("%064x", page * 1000L + i);
                entries.append("{\"mediaType\":\"")
                        .append(MediaTypes.OCI_MANIFEST)
                        .append("\",\"artifactType\":\"")
                        .append(i % 2 == 0 ? NOTATION : "application/other")
                        .append("\",\"digest\":\"sha256:")
                        .append(hex)
                        .append("\",\"size\":100}");
            }
            String next = link.apply(page);
            if (next != null) {
                ex.getResponseHeaders().set("Link", next);
            }
            send(
                    ex,
                    "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[" + entries
                            + "]}");
        });
        server.start();
        String host = "127.0.0.1:" + server.getAddress().getPort();
        client = new VertxRegistryClient(
                vertx, TrustgateSettings.defaults().transport().withInsecureHosts(host), MutableClock.now());
        return host;
    }

    private static void send(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", MediaTypes.OCI_INDEX);
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private java.util.concurrent.CompletableFuture<Referrers> referrers(String host) {
        return client.referrers(ref(host + "/demo/app"), DIGEST, NOTATION, RegistryCredentials.ANONYMOUS)
                .orTimeout(30, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("the next pages are followed through the Link header, and the filter is applied to every page")
    void followsPages() throws Exception {
        String host = serve(
                4,
                page -> page < 3
                        ? "</v2/demo/app/referrers/" + DIGEST + "?page=" + (page + 1) + ">; rel=\"next\""
                        : null);
        Referrers found = referrers(host).join();
        assertThat(found.discovery()).isEqualTo(Referrers.Discovery.API);
        assertThat(found.truncated()).isFalse();
        assertThat(found.entries())
                .hasSize(6)
                .extracting(Referrer::artifactType)
                .containsOnly(NOTATION);
        assertThat(seen).hasSize(3);
        assertThat(seen.get(0))
                .isEqualTo("/v2/demo/app/referrers/" + DIGEST + "?artifactType="
                        + "application%2Fvnd.cncf.notary.signature");
    }

    @Test
    @DisplayName("a list that never ends stops after MAX_PAGES pages and says it was truncated")
    void pageCap() throws Exception {
        String host = serve(2, page -> "</v2/demo/app/referrers/" + DIGEST + "?page=" + (page + 1) + ">; rel=\"next\"");
        Referrers found = referrers(host).join();
        assertThat(seen).hasSize(Referrers.MAX_PAGES);
        assertThat(found.truncated()).isTrue();
        assertThat(found.entries()).hasSize(Referrers.MAX_PAGES);
    }

    @Test
    @DisplayName("more matching entries than MAX_REFERRERS are cut there and reported as truncated")
    void entryCap() throws Exception {
        String host = serve(2 * Referrers.MAX_REFERRERS + 2, page -> null);
        Referrers found = referrers(host).join();
        assertThat(found.entries()).hasSize(Referrers.MAX_REFERRERS);
        assertThat(found.truncated()).isTrue();
    }

    @Test
    @DisplayName("a next page on another origin is refused (no request leaves the registry)")
    void otherOrigin() throws Exception {
        String host = serve(2, page -> "<http://127.0.0.2:1/v2/demo/app/referrers/x?page=2>; rel=\"next\"");
        RegistryProtocolException e = failure(referrers(host), RegistryProtocolException.class);
        assertThat(e.getMessage()).contains("another origin", "127.0.0.2:1");
        assertThat(seen).hasSize(1);
    }

    @Test
    @DisplayName("Link headers: rel=next among others, quoted or not; anything else is no next page")
    void linkHeader() {
        assertThat(VertxRegistryClient.nextLink("</a?b=1>; rel=\"next\"")).isEqualTo("/a?b=1");
        assertThat(VertxRegistryClient.nextLink("</p>; rel=\"prev\", </n>; rel=next"))
                .isEqualTo("/n");
        assertThat(VertxRegistryClient.nextLink("</p>; rel=\"prev\"")).isNull();
        assertThat(VertxRegistryClient.nextLink("garbage; rel=next")).isNull();
        assertThat(VertxRegistryClient.nextLink(null)).isNull();
    }
}
