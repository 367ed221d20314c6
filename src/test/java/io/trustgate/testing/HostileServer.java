package io.trustgate.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An upstream that misbehaves in ways a TCP proxy cannot fake, for the fault-injection tests: Toxiproxy can
 * delay, throttle, cut and silence what a real server sends, but it cannot invent bytes or status codes. Plain
 * HTTP or HTTPS (a certificate from a {@link TestCa}, e.g. the Notary peer's CA) on 127.0.0.1.
 *
 * <ul>
 *   <li>{@link Behaviour#ENDLESS_BODY}: every GET is answered 200 with a chunked body that never ends (until the
 *       client hangs up or {@link #ENDLESS_CAP_BYTES} is sent); a HEAD is answered 200 without
 *       {@code Docker-Content-Digest}, so a registry client must GET the manifest.</li>
 *   <li>{@link Behaviour#UNAVAILABLE}: every request is answered 503 (a 5xx storm).</li>
 * </ul>
 */
public final class HostileServer implements AutoCloseable {

    /** What every request gets. */
    public enum Behaviour {
        ENDLESS_BODY,
        UNAVAILABLE
    }

    /** An endless body stops here at the latest, so a client that never hangs up cannot keep the test running. */
    public static final long ENDLESS_CAP_BYTES = 1L << 30;

    private final HttpServer server;
    private final ExecutorService threads;
    private final Behaviour behaviour;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger streaming = new AtomicInteger();
    private final AtomicInteger cutByClient = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();

    private HostileServer(HttpServer server, ExecutorService threads, Behaviour behaviour) {
        this.server = server;
        this.threads = threads;
        this.behaviour = behaviour;
    }

    /** Plain HTTP. */
    public static HostileServer start(String name, Behaviour behaviour) {
        return start(name, behaviour, null);
    }

    /** HTTPS with {@code tls} as the server certificate when it is not {@code null}. */
    public static HostileServer start(String name, Behaviour behaviour, TestCa.Issued tls) {
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            HttpServer server;
            if (tls == null) {
                server = HttpServer.create(address, 50);
            } else {
                HttpsServer https = HttpsServer.create(address, 50);
                https.setHttpsConfigurator(new HttpsConfigurator(sslContext(tls)));
                server = https;
            }
            AtomicInteger n = new AtomicInteger();
            // One thread per exchange: an endless body must not hold up the next connection.
            ExecutorService threads = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "hostile-" + name + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(threads);
            HostileServer hostile = new HostileServer(server, threads, behaviour);
            server.createContext("/", hostile::handle);
            server.start();
            return hostile;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start hostile server " + name, e);
        }
    }

    /** {@code 127.0.0.1:<port>}, e.g. the upstream a Toxiproxy proxy is switched to. */
    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    /** Endless bodies being written right now. */
    public int streaming() {
        return streaming.get();
    }

    /** Endless bodies the client ended by closing or resetting the connection. */
    public int cutByClient() {
        return cutByClient.get();
    }

    /** Body bytes written so far (all endless bodies). */
    public long bytesSent() {
        return sent.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (behaviour == Behaviour.UNAVAILABLE) {
                byte[] body = "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"service unavailable\"}]}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.getResponseHeaders().set("Retry-After", "1");
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(503, head ? -1 : body.length);
                if (!head) {
                    exchange.getResponseBody().write(body);
                }
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.oci.image.manifest.v1+json");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, 0); // chunked, no declared length
            byte[] chunk = new byte[8192];
            Arrays.fill(chunk, (byte) '{');
            streaming.incrementAndGet();
            try {
                OutputStream out = exchange.getResponseBody();
                while (sent.get() < ENDLESS_CAP_BYTES) {
                    out.write(chunk);
                    out.flush();
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                cutByClient.incrementAndGet();
            } finally {
                streaming.decrementAndGet();
            }
        } catch (IOException e) {
            // the client went away; nothing to answer
        }
    }

    private static SSLContext sslContext(TestCa.Issued tls) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = "hostile".toCharArray();
            keys.setKeyEntry("server", tls.keyPair().getPrivate(), password, new Certificate[] {tls.certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), null, null);
            return ssl;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the hostile server's TLS context", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
