package io.trustgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
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
}
