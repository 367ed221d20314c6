package io.trustgate.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a directory read-only over plain HTTP on 127.0.0.1, as a lookaside signature store: GET and HEAD
 * of files, 404 for anything missing or outside the directory, 405 for other methods. Counts requests.
 *
 * <pre>{@code
 * try (LookasidePeer lookaside = LookasidePeer.serve("lookaside", gpg.lookasideDir())) {
 *     String base = lookaside.baseUrl();          // "http://127.0.0.1:41234"
 *     ... lookaside.requests() ... lookaside.requestedPaths() ...
 * }
 * }</pre>
 */
public final class LookasidePeer implements AutoCloseable {

    private final Path root;
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> paths = new CopyOnWriteArrayList<>();

    private LookasidePeer(Path root, HttpServer server) {
        this.root = root;
        this.server = server;
    }

    /** Starts serving {@code directory} (which may be filled later). */
    public static LookasidePeer serve(String name, Path directory) {
        try {
            Path root = directory.toAbsolutePath().normalize();
            Files.createDirectories(root);
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            LookasidePeer peer = new LookasidePeer(root, server);
            server.createContext("/", peer::handle);
            server.start();
            return peer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start lookaside server " + name, e);
        }
    }

    /** {@code http://127.0.0.1:<port>}, the lookaside base URL for a policy. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public Path root() {
        return root;
    }

    /** Requests served so far. */
    public int requests() {
        return requests.get();
    }

    /** The decoded paths requested, oldest first. */
    public List<String> requestedPaths() {
        return List.copyOf(paths);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
            paths.add(path);
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Path file = root.resolve(path.replaceFirst("^/+", "")).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = Files.readAllBytes(file);
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            if (method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
