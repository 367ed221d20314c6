package io.trustgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code trustgate verify-package} over a real tar and real {@code gpg --detach-sign} signatures. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("trustgate verify-package")
class VerifyPackageCommandTest {

    private GpgPeer gpg;
    private String alice;
    private String bob;
    private String mallory;
    private Path dir;
    private Path tar;
    private Path keyring;

    @BeforeAll
    void makePackage() throws Exception {
        gpg = GpgPeer.create();
        alice = gpg.generateKey("Alice", "alice@example.test", "ed25519");
        bob = gpg.generateKey("Bob", "bob@example.test", "rsa2048");
        mallory = gpg.generateKey("Mallory", "mallory@example.test", "ed25519");
        dir = Files.createTempDirectory("tg-cli-package-");
        Path content = Files.createDirectories(dir.resolve("content"));
        Files.writeString(content.resolve("manifest.json"), "[{\"Config\":\"config.json\",\"Layers\":[]}]");
        Files.writeString(content.resolve("config.json"), "{\"architecture\":\"amd64\"}");
        tar = dir.resolve("image.tar");
        Proc.cmd("tar", "-cf", tar.toString(), "-C", content.toString(), "manifest.json", "config.json")
                .run();
        sign(alice);
        sign(bob, "--armor");
        sign(mallory);
        keyring = dir.resolve("trusted.asc");
        Files.writeString(keyring, gpg.exportPublic(alice) + gpg.exportPublic(bob));
    }

    private void sign(String fingerprint, String... extra) {
        java.util.List<String> args = new java.util.ArrayList<>(
                java.util.List.of("--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", ""));
        args.addAll(java.util.List.of(extra));
        args.addAll(java.util.List.of(
                "--local-user",
                fingerprint,
                "--output",
                sigFile(fingerprint).toString(),
                "--detach-sign",
                tar.toString()));
        gpg.gpg(args.toArray(String[]::new));
    }

    private Path sigFile(String fingerprint) {
        return dir.resolve("image.tar." + fingerprint.substring(24) + ".sig");
    }

    @AfterAll
    void stop() {
        if (gpg != null) {
            gpg.close();
        }
    }

    @Test
    @DisplayName("two trusted signatures where two are required verify: exit 0, each file's verdict printed")
    void enoughSignatures() {
        CliRun run =
                CliRun.of("verify-package", tar.toString(), "--keyring", keyring.toString(), "--min-signatures", "2");
        assertThat(run.code()).as(run.describe()).isEqualTo(0);
        assertThat(run.out())
                .contains("VALID " + sigFile(alice).getFileName() + ": signed by key " + alice)
                .contains("VALID " + sigFile(bob).getFileName() + ": signed by key " + bob)
                .contains("REJECTED " + sigFile(mallory).getFileName() + ": ")
                .contains("VERIFIED image.tar: 2 distinct trusted signers");
    }

    @Test
    @DisplayName("fewer trusted signatures than required: exit 1 and NOT VERIFIED with the counts")
    void tooFewSignatures() {
        CliRun run =
                CliRun.of("verify-package", tar.toString(), "--keyring", keyring.toString(), "--min-signatures", "3");
        assertThat(run.code()).as(run.describe()).isEqualTo(1);
        assertThat(run.out()).contains("NOT VERIFIED image.tar: 2 of 3 required trusted signers");
    }

    @Test
    @DisplayName("--output json gives each file's verdict and the result")
    void json() throws Exception {
        CliRun run = CliRun.of(
                "verify-package",
                tar.toString(),
                "--keyring",
                keyring.toString(),
                "--min-signatures",
                "2",
                "-o",
                "json");
        assertThat(run.code()).as(run.describe()).isEqualTo(0);
        JsonNode o = new ObjectMapper().readTree(run.out());
        assertThat(o.path("verified").asBoolean()).isTrue();
        assertThat(o.path("signers")).extracting(JsonNode::asText).containsExactlyInAnyOrder(alice, bob);
        assertThat(o.path("files")).hasSize(3);
    }

    @Test
    @DisplayName("a missing keyring or tar is an I/O error: exit 2 with one line on stderr")
    void ioErrors() {
        CliRun noKeyring = CliRun.of(
                "verify-package",
                tar.toString(),
                "--keyring",
                dir.resolve("nope.asc").toString(),
                "--min-signatures",
                "1");
        assertThat(noKeyring.code()).isEqualTo(2);
        assertThat(noKeyring.err().strip())
                .isEqualTo("trustgate: cannot read keyring " + dir.resolve("nope.asc") + ": no such file");
        CliRun noTar = CliRun.of(
                "verify-package",
                dir.resolve("other.tar").toString(),
                "--keyring",
                keyring.toString(),
                "--min-signatures",
                "1");
        assertThat(noTar.code()).isEqualTo(2);
        assertThat(noTar.err()).startsWith("trustgate: cannot read ").doesNotContain("\tat ");
        CliRun noMin = CliRun.of("verify-package", tar.toString(), "--keyring", keyring.toString());
        assertThat(noMin.code()).isEqualTo(2);
        assertThat(noMin.err()).contains("--min-signatures");
    }
}
