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
 * Serves a directory read-only over plain HTTP (or HTTPS: {@link #serveTls}) on 127.0.0.1, as a lookaside
 * signature store: GET and HEAD
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
    private final String scheme;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> paths = new CopyOnWriteArrayList<>();

    private LookasidePeer(Path root, HttpServer server, String scheme) {
        this.root = root;
        this.server = server;
        this.scheme = scheme;
    }

    /** Starts serving {@code directory} (which may be filled later). */
    public static LookasidePeer serve(String name, Path directory) {
        try {
            Path root = directory.toAbsolutePath().normalize();
            Files.createDirectories(root);
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            LookasidePeer peer = new LookasidePeer(root, server, "http");
            server.createContext("/", peer::handle);
            server.start();
            return peer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start lookaside server " + name, e);
        }
    }

    /**
     * Starts serving {@code directory} over HTTPS with a certificate for 127.0.0.1 issued by {@code ca}, as a store
     * behind a private CA.
     */
    public static LookasidePeer serveTls(String name, Path directory, TestCa ca) {
        try {
            Path root = directory.toAbsolutePath().normalize();
            Files.createDirectories(root);
            TestCa.Issued cert = ca.issueServer(name);
            java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] pass = "lookaside".toCharArray();
            keys.setKeyEntry("server", cert.keyPair().getPrivate(), pass, new java.security.cert.Certificate[] {
                cert.certificate(), ca.certificate()
            });
            javax.net.ssl.KeyManagerFactory kmf =
                    javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, pass);
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), null, null);
            com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ssl));
            LookasidePeer peer = new LookasidePeer(root, server, "https");
            server.createContext("/", peer::handle);
            server.start();
            return peer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start lookaside server " + name, e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for lookaside server " + name, e);
        }
    }

    /** {@code http://127.0.0.1:<port>} (or {@code https://}), the lookaside base URL for a policy. */
    public String baseUrl() {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort();
    }

    /** {@code 127.0.0.1:<port>}, as a certs.d directory names this store. */
    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
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
