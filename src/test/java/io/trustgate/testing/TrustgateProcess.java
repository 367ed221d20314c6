package io.trustgate.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged webhook ({@code target/quarkus-app/quarkus-run.jar}) run as its own process, as a
 * replica would run it: HTTPS on a fixed loopback port, configured only through environment variables.
 * Can be stopped and started again on the same port (to test failing closed and recovering).
 */
public final class TrustgateProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();

    private final String name;
    private final int port;
    private final Map<String, String> env;
    private final TestCa ca;
    private PeerProcess process;
    private int starts;

    private TrustgateProcess(String name, int port, Map<String, String> env, TestCa ca) {
        this.name = name;
        this.port = port;
        this.env = env;
        this.ca = ca;
    }

    /**
     * Starts trustgate on {@code port} (from {@link Ports#free()}, known before the webhook configuration is
     * written) with a serving certificate from {@code ca} and the given extra environment
     * (e.g. {@code QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL}), and waits until it is ready.
     */
    public static TrustgateProcess start(String name, TestCa ca, int port, Map<String, String> extraEnv) {
        TrustgateProcess tg = new TrustgateProcess(name, port, environment(ca.issueServer(name), port, extraEnv), ca);
        tg.startAgain();
        return tg;
    }

    /** How a process that was expected to stop by itself ended. */
    public record Exit(int code, String output) {}

    /**
     * Runs trustgate as {@link #start} does but expects it to stop by itself (a configuration it must refuse),
     * and returns its exit code and everything it printed.
     */
    public static Exit runToExit(String name, TestCa ca, int port, Map<String, String> extraEnv, Duration timeout) {
        TrustgateProcess tg = new TrustgateProcess(name, port, environment(ca.issueServer(name), port, extraEnv), ca);
        PeerProcess process = tg.launch();
        int code = process.awaitExit(timeout);
        try {
            return new Exit(code, Files.readString(process.log()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> environment(TestCa.Issued tls, int port, Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("TRUSTGATE_TLS_CERT", tls.certPem().toString());
        env.put("TRUSTGATE_TLS_KEY", tls.keyPem().toString());
        env.putAll(extraEnv);
        return Map.copyOf(env);
    }

    /** Starts the process (again) on the same port and waits for {@code /q/health/ready}. */
    public void startAgain() {
        launch();
        process.awaitReady(Duration.ofMinutes(2), () -> status("/q/health/ready") == 200);
    }

    private PeerProcess launch() {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: this test runs after 'package' (failsafe)");
        }
        Path dir = PeerProcess.peerDir(name);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                JAR.toString()));
        process = PeerProcess.start(name, cmd, env, dir, dir.resolve(name + "-" + port + "-" + ++starts + ".log"));
        return process;
    }

    /** Stops the process; the port refuses connections until {@link #startAgain()}. */
    public void stop() {
        if (process != null) {
            process.stop();
        }
    }

    public int port() {
        return port;
    }

    /** The URL the webhook configuration points at. */
    public String validateUrl() {
        return "https://127.0.0.1:" + port + "/validate";
    }

    public PeerProcess process() {
        return process;
    }

    /** The HTTP status of a GET on the webhook's HTTPS port, or -1 when nothing answers. */
    public int status(String path) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2))
                    .build();
            return http().send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private HttpClient http() {
        return ca.httpClient(Duration.ofSeconds(2));
    }

    @Override
    public void close() {
        stop();
    }
}
