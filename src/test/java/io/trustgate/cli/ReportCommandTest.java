package io.trustgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import io.trustgate.testing.TestCa;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trustgate report}'s kubeconfig reading, where no cluster is needed: credentials it cannot use end in a clear
 * error that names the user and never quotes key material. Reports read with a token and with a client certificate
 * from the real API server are in RecheckClusterIT.
 */
class ReportCommandTest {

    @TempDir
    Path dir;

    private Path kubeconfig(String userFields) throws Exception {
        return Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster: {server: "https://127.0.0.1:1"}
                users:
                - name: dev
                  user: {%s}
                contexts:
                - name: c
                  context: {cluster: c, user: dev}
                current-context: c
                """.formatted(userFields));
    }

    @Test
    @DisplayName("a user with neither a token nor a client certificate is refused, naming the user and what works")
    void noCredentials() throws Exception {
        CliRun r = CliRun.of(
                "report", "--kubeconfig", kubeconfig("exec: {command: aws}").toString());
        assertThat(r.code()).as(r.describe()).isEqualTo(Main.ERROR);
        assertThat(r.err()).contains("user \"dev\"").contains("neither a token nor a client certificate");
    }

    @Test
    @DisplayName("a client key that is not a PEM private key is refused without quoting it")
    void badClientKey() throws Exception {
        String secret = "-----BEGIN SECRET-----\nc3VwZXItc2VjcmV0LXZhbHVl\n-----END SECRET-----\n";
        Base64.Encoder b64 = Base64.getEncoder();
        String cert = b64.encodeToString(
                Files.readAllBytes(TestCa.selfSigned(dir, "client").certPem()));
        String key = b64.encodeToString(secret.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        CliRun r = CliRun.of(
                "report",
                "--kubeconfig",
                kubeconfig("client-certificate-data: " + cert + ", client-key-data: " + key)
                        .toString());
        assertThat(r.code()).as(r.describe()).isEqualTo(Main.ERROR);
        assertThat(r.err()).contains("user \"dev\"").contains("client key").doesNotContain("c3VwZXItc2VjcmV0LXZhbHVl");
    }

    @Test
    @DisplayName("client-key-data that is not base64 is refused naming the field")
    void notBase64() throws Exception {
        CliRun r = CliRun.of(
                "report",
                "--kubeconfig",
                kubeconfig("client-certificate-data: '%%%', client-key-data: '%%%'")
                        .toString());
        assertThat(r.code()).as(r.describe()).isEqualTo(Main.ERROR);
        assertThat(r.err()).contains("client-certificate-data is not base64");
    }

    @Test
    @DisplayName("an API server whose answer never ends is read only to the 64 MiB cap, then refused with what to do")
    void endlessAnswerStopsAtTheCap() throws Exception {
        // A hostile upstream, so a loopback server stands in for the API server (the normal path is
        // RecheckClusterIT's).
        AtomicLong sent = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked, no length: the client cannot refuse it up front
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("{\"items\":[".getBytes(StandardCharsets.US_ASCII));
                while (sent.get() < 4L * ReportCommand.MAX_RESPONSE_BYTES) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException closedByTheClient) {
                // expected: the client stops reading at the cap
            }
        });
        server.start();
        try {
            Path config = Files.writeString(
                    dir.resolve("config"), """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: c
                      cluster: {server: "http://127.0.0.1:%d"}
                    users:
                    - name: dev
                      user: {token: t}
                    contexts:
                    - name: c
                      context: {cluster: c, user: dev}
                    current-context: c
                    """.formatted(server.getAddress().getPort()));
            CliRun r = assertTimeoutPreemptively(
                    Duration.ofSeconds(120), () -> CliRun.of("report", "--kubeconfig", config.toString()));
            assertThat(r.code()).as(r.describe()).isEqualTo(Main.ERROR);
            assertThat(r.err())
                    .contains("larger than " + ReportCommand.MAX_RESPONSE_BYTES + " bytes")
                    .contains("--namespace");
            assertThat(sent.get())
                    .as("the server could send only the cap and what the socket buffers hold")
                    .isLessThan(2L * ReportCommand.MAX_RESPONSE_BYTES);
        } finally {
            server.stop(0);
        }
    }
}
