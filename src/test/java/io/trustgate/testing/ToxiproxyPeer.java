package io.trustgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real Toxiproxy server (Shopify's TCP fault-injection proxy) on loopback: proxies in front of the
 * registry, lookaside and Notary peers, and toxics (latency, bandwidth, reset, truncation, silence) added
 * and removed between reviews. Driven over its HTTP API with the JDK client: the API is five calls, and the
 * Java client ({@code toxiproxy-java} 2.1.7) would add a dependency that lags the server's toxic list.
 *
 * <p>The binary is built once by {@code scripts/build-toxiproxy.sh} into
 * {@code ~/.cache/trustgate/toxiproxy/<version>/}; asking the script for its path builds it if needed.
 *
 * <pre>{@code
 * try (ToxiproxyPeer toxiproxy = ToxiproxyPeer.start("toxiproxy")) {
 *     ToxiproxyPeer.Proxy registry = toxiproxy.proxy("registry", registryPeer.host());
 *     registry.toxic("latency", "downstream", Map.of("latency", 5000));   // every answer 5 s late
 *     ... registry.host() ...                                               // "127.0.0.1:<proxy port>"
 *     registry.heal();                                                      // all toxics removed
 * }
 * }</pre>
 */
public final class ToxiproxyPeer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PeerProcess process;
    private final int port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ToxiproxyPeer(PeerProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The toxiproxy-server binary, built on first use. */
    public static Path binary() {
        String explicit = System.getenv("TRUSTGATE_TOXIPROXY");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        Proc.Result r = Proc.cmd("scripts/build-toxiproxy.sh")
                .timeout(Duration.ofMinutes(10))
                .run();
        List<String> lines = r.stdout().strip().lines().toList();
        return Path.of(lines.get(lines.size() - 1));
    }

    /** Starts the server with its API on a free loopback port; retried on a new port if that one was taken. */
    public static ToxiproxyPeer start(String name) {
        Path bin = binary();
        Path dir = PeerProcess.peerDir(name);
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Ports.free();
            PeerProcess p = PeerProcess.start(
                    name,
                    List.of(bin.toString(), "-host", "127.0.0.1", "-port", String.valueOf(port)),
                    Map.of(),
                    dir,
                    dir.resolve(name + "-" + port + ".log"));
            ToxiproxyPeer peer = new ToxiproxyPeer(p, port);
            try {
                p.awaitReady(Duration.ofSeconds(20), peer::ready);
                return peer;
            } catch (IllegalStateException e) {
                p.stop();
                last = e;
            }
        }
        throw last;
    }

    private boolean ready() {
        try {
            return call("GET", "/version", null).statusCode() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** The API's base URL. */
    public String apiUrl() {
        return "http://127.0.0.1:" + port;
    }

    public PeerProcess process() {
        return process;
    }

    /** Creates a proxy listening on a free loopback port that forwards to {@code upstream} ({@code host:port}). */
    public Proxy proxy(String name, String upstream) {
        ObjectNode body = JSON.createObjectNode()
                .put("name", name)
                .put("listen", "127.0.0.1:0")
                .put("upstream", upstream)
                .put("enabled", true);
        JsonNode created = expect(call("POST", "/proxies", body), 201);
        return new Proxy(name, created.path("listen").asText());
    }

    /** Removes every toxic of every proxy and re-enables them all. */
    public void reset() {
        expect(call("POST", "/reset", null), 204);
    }

    @Override
    public void close() {
        process.stop();
    }

    /** One proxy: its listening address and the toxics on it. */
    public final class Proxy {
        private final String name;
        private final String listen;

        private Proxy(String name, String listen) {
            this.name = name;
            this.listen = listen;
        }

        /** {@code 127.0.0.1:<port>}: what trustgate is pointed at instead of the real upstream. */
        public String host() {
            return listen;
        }

        public int port() {
            return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
        }

        public String name() {
            return name;
        }

        /**
         * Adds a toxic on every connection, old and new.
         *
         * @param type {@code latency}, {@code bandwidth}, {@code slow_close}, {@code timeout}, {@code reset_peer},
         *     {@code slicer} or {@code limit_data}
         * @param stream {@code downstream} (server to client) or "upstream" (client to server)
         * @param attributes the toxic's attributes, e.g. {@code latency} (ms), {@code rate} (KB/s), {@code bytes}
         */
        public Proxy toxic(String type, String stream, Map<String, ?> attributes) {
            return toxic(type, stream, attributes, 1.0);
        }

        /** Adds a toxic that acts on the given share of connections ({@code toxicity} 0 to 1). */
        public Proxy toxic(String type, String stream, Map<String, ?> attributes, double toxicity) {
            ObjectNode body = JSON.createObjectNode()
                    .put("name", type + "-" + stream)
                    .put("type", type)
                    .put("stream", stream)
                    .put("toxicity", toxicity);
            body.set("attributes", JSON.valueToTree(attributes));
            expect(call("POST", "/proxies/" + name + "/toxics", body), 200);
            return this;
        }

        /**
         * Removes every toxic of this proxy. Toxiproxy 2.5 answers a DELETE only once the toxic's goroutine on each
         * open connection has flushed, which never happens for a {@code slicer} whose client hung up mid-chunk; the
         * toxic is gone from new connections all the same, so a DELETE that gets no answer within a second counts
         * when the toxic no longer appears in the proxy's list.
         */
        public Proxy heal() {
            JsonNode toxics = expect(call("GET", "/proxies/" + name + "/toxics", null), 200);
            for (JsonNode t : toxics) {
                String toxic = t.path("name").asText();
                try {
                    expect(call("DELETE", "/proxies/" + name + "/toxics/" + toxic, null, Duration.ofSeconds(1)), 204);
                } catch (UncheckedIOException e) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (listed(toxic)) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("toxic " + toxic + " of proxy " + name + " not removed", e);
                        }
                        PeerProcess.sleep(50);
                    }
                }
            }
            return this;
        }

        private boolean listed(String toxic) {
            for (JsonNode t : expect(call("GET", "/proxies/" + name + "/toxics", null), 200)) {
                if (t.path("name").asText().equals(toxic)) {
                    return true;
                }
            }
            return false;
        }

        /** Points the proxy at another upstream ({@code host:port}); connections already open keep theirs. */
        public Proxy upstream(String upstream) {
            ObjectNode body = JSON.createObjectNode().put("upstream", upstream);
            expect(call("POST", "/proxies/" + name, body), 200);
            return this;
        }

        /**
         * TCP connections to this proxy that a client on this machine still holds open, from {@code /proc/net/tcp}
         * and {@code tcp6} (the JVM connects from dual-stack sockets): ESTABLISHED, and CLOSE_WAIT (the proxy
         * closed, the client did not), which is how a leaked connection shows.
         */
        public int clientConnections() {
            return clientConnections("01", "08");
        }

        /** Connections the proxy closed and a client on this machine did not (CLOSE_WAIT): leaked if they stay. */
        public int halfClosedClientConnections() {
            return clientConnections("08");
        }

        /** Client-side connections to this proxy in the given {@code /proc/net/tcp} states (hex, e.g. 01). */
        private int clientConnections(String... states) {
            List<String> wanted = List.of(states);
            int n = 0;
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(Path.of(table));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.strip().split("\\s+", -1);
                    int remotePort = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                    if (remotePort == port() && wanted.contains(f[3])) {
                        n++;
                    }
                }
            }
            return n;
        }

        /**
         * Waits until clients have closed their side of every connection the proxy closed (after
         * {@link #enabled} false), so that the next request does not race a client's pool.
         */
        public Proxy awaitClientsClosed(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (clientConnections() > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(clientConnections() + " client connections to proxy " + name
                            + " still open after " + timeout);
                }
                PeerProcess.sleep(20);
            }
            return this;
        }

        /** Disables (closing every open connection and refusing new ones) or re-enables the proxy. */
        public Proxy enabled(boolean enabled) {
            expect(call("POST", "/proxies/" + name, JSON.createObjectNode().put("enabled", enabled)), 200);
            return this;
        }
    }

    private HttpResponse<String> call(String method, String path, JsonNode body) {
        return call(method, path, body, Duration.ofSeconds(5));
    }

    private HttpResponse<String> call(String method, String path, JsonNode body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(apiUrl() + path))
                .timeout(timeout)
                .header("Content-Type", "application/json");
        b.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("toxiproxy " + method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode expect(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException("toxiproxy " + r.request().method() + " "
                    + r.request().uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        try {
            return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
