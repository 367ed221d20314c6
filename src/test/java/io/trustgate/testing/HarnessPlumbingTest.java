package io.trustgate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HarnessPlumbingTest {

    @Test
    @DisplayName("Proc returns stdout, and fails with the command's stderr or on timeout")
    void proc() {
        assertThat(Proc.cmd("sh", "-c", "echo hi").run().stdout()).isEqualTo("hi\n");
        assertThatThrownBy(() -> Proc.cmd("sh", "-c", "echo broken >&2; exit 3").run())
                .isInstanceOf(Proc.ProcException.class)
                .hasMessageContaining("exited 3")
                .hasMessageContaining("broken");
        assertThatThrownBy(() ->
                        Proc.cmd("sleep", "5").timeout(Duration.ofMillis(200)).run())
                .hasMessageContaining("timed out");
        assertThat(Proc.cmd("cat").stdin("in").run().stdout()).isEqualTo("in");
    }

    @Test
    @DisplayName("PeerProcess stops its process by PID and reports a process that died before it was ready")
    void peerProcess(@TempDir Path tmp) {
        PeerProcess sleeper = PeerProcess.start("sleeper", List.of("sleep", "60"), Map.of(), tmp, tmp.resolve("s.log"));
        assertThat(sleeper.isAlive()).isTrue();
        sleeper.stop();
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(ProcessHandle.of(sleeper.pid())).isEmpty();

        PeerProcess dying = PeerProcess.start(
                "dying", List.of("sh", "-c", "echo cannot bind; exit 1"), Map.of(), tmp, tmp.resolve("d.log"));
        assertThatThrownBy(() -> dying.awaitReady(Duration.ofSeconds(5), () -> false))
                .hasMessageContaining("exited 1")
                .hasMessageContaining("cannot bind");
    }

    @Test
    @DisplayName(
            "TestCa issues server certificates for 127.0.0.1 and localhost that chain to the CA, and openssl agrees")
    void testCa(@TempDir Path tmp) throws Exception {
        TestCa ca = TestCa.create(tmp);
        TestCa.Issued server = ca.issueServer("server", "notary.test");
        X509Certificate cert = server.certificate();
        cert.verify(ca.certificate().getPublicKey());
        assertThat(cert.getSubjectAlternativeNames().stream()
                        .map(san -> (Object) san.get(1))
                        .toList())
                .containsExactlyInAnyOrder((Object) "127.0.0.1", "localhost", "notary.test");
        assertThat(Proc.cmd(
                                "openssl",
                                "verify",
                                "-CAfile",
                                ca.certPem().toString(),
                                server.certPem().toString())
                        .run()
                        .stdout())
                .contains("OK");
        assertThat(Proc.cmd("openssl", "pkey", "-in", server.keyPem().toString(), "-noout")
                        .runAllowingFailure()
                        .ok())
                .isTrue();
    }

    @Test
    @DisplayName("Ports.free gives a bindable loopback port")
    void ports() throws Exception {
        int port = Ports.free();
        try (var s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    @DisplayName("the token server's key id is libtrust's fingerprint format: 12 groups of 4 base32 characters")
    void libtrustKeyId() {
        assertThat(TokenServer.libtrustKeyId(new byte[] {1, 2, 3})).matches("([A-Z2-7]{4}:){11}[A-Z2-7]{4}");
    }
}
