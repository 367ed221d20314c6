package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.pgp.PackageResult.FileCheck;
import io.trustgate.pgp.SignatureCheck.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signature packages made with the real gpg: image.tar beside image.tar.KEYID.sig files. */
class SignaturePackageTest {

    private static GpgHome gpg;
    private static String alice;
    private static String bob;
    private static String mallory;
    private static PgpKeys trusted;

    @TempDir
    Path dir;

    private Path tar;
    private SignaturePackage verifier;

    @BeforeAll
    static void makeKeys() throws Exception {
        GpgHome.require();
        gpg = new GpgHome();
        alice = gpg.generateKey("Alice <alice@example.test>", "ed25519", "never");
        bob = gpg.generateKey("Bob <bob@example.test>", "rsa2048", "never");
        mallory = gpg.generateKey("Mallory <mallory@example.test>", "ed25519", "never");
        trusted = PgpKeys.parse(gpg.exportPublic(alice, bob));
    }

    @AfterAll
    static void removeKeys() throws Exception {
        if (gpg != null) {
            gpg.close();
        }
    }

    @BeforeEach
    void makePackage() throws Exception {
        Path content = Files.createDirectories(dir.resolve("content"));
        Files.writeString(content.resolve("manifest.json"), "[{\"Config\":\"config.json\",\"Layers\":[]}]");
        Files.writeString(content.resolve("config.json"), "{\"architecture\":\"amd64\"}");
        tar = dir.resolve("image.tar");
        Process p = new ProcessBuilder(
                        "tar", "-cf", tar.toString(), "-C", content.toString(), "manifest.json", "config.json")
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)
                .as("tar -cf succeeded")
                .isTrue();
        gpg.detachSign(alice, tar, sigPath(alice));
        gpg.detachSign(bob, tar, sigPath(bob), "--armor");
        gpg.detachSign(mallory, tar, sigPath(mallory));
        verifier = new SignaturePackage(Clock.fixed(Instant.now().plus(Duration.ofMinutes(5)), ZoneOffset.UTC));
    }

    private Path sigPath(String fingerprint) {
        return dir.resolve("image.tar." + fingerprint.substring(24) + ".sig");
    }

    private static Map<String, Object> outcomes(PackageResult result) {
        return result.files().stream()
                .collect(Collectors.toMap(
                        f -> f.file().getFileName().toString(),
                        f -> f instanceof FileCheck.Rejected r ? r.reason() : "VALID"));
    }

    @Test
    @DisplayName(
            "two trusted signers with valid signatures satisfy minSignatures 2; the untrusted key's file is reported, not fatal")
    void enoughValidSignatures() throws Exception {
        PackageResult result = verifier.verify(tar, trusted, 2);

        assertThat(result).isInstanceOf(PackageResult.Accepted.class);
        assertThat(result.signers()).containsExactlyInAnyOrder(alice, bob);
        assertThat(outcomes(result))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        sigPath(alice).getFileName().toString(), "VALID",
                        sigPath(bob).getFileName().toString(), "VALID",
                        sigPath(mallory).getFileName().toString(), Reason.UNTRUSTED_KEY));
    }

    @Test
    @DisplayName("too few trusted signers is rejected with the counts")
    void tooFew() throws Exception {
        PackageResult result = verifier.verify(tar, trusted, 3);

        assertThat(result).isInstanceOfSatisfying(PackageResult.Rejected.class, r -> {
            assertThat(r.signers()).containsExactlyInAnyOrder(alice, bob);
            assertThat(r.detail())
                    .startsWith("2 of 3 required trusted signers have a valid signature on image.tar")
                    .endsWith("3 signature files examined, 1 rejected");
        });
    }

    @Test
    @DisplayName("an untrusted key's signature does not count towards the minimum")
    void untrustedIgnored() throws Exception {
        Files.delete(sigPath(bob));

        PackageResult result = verifier.verify(tar, trusted, 2);

        assertThat(result).isInstanceOfSatisfying(PackageResult.Rejected.class, r -> {
            assertThat(r.signers()).containsExactly(alice);
            assertThat(r.detail()).startsWith("1 of 2 required");
        });
    }

    @Test
    @DisplayName("two signature files by the same key count as one signer")
    void sameKeyTwice() throws Exception {
        gpg.detachSign(alice, tar, dir.resolve("image.tar." + alice + ".sig"));
        Files.delete(sigPath(bob));

        PackageResult result = verifier.verify(tar, trusted, 2);

        assertThat(result).isInstanceOf(PackageResult.Rejected.class);
        assertThat(result.signers()).containsExactly(alice);
        assertThat(result.files())
                .hasSize(3)
                .filteredOn(f -> f instanceof FileCheck.Valid)
                .hasSize(2);
    }

    @Test
    @DisplayName("a tar changed after signing makes every trusted signature invalid")
    void corruptedTar() throws Exception {
        Files.write(tar, "tampered".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

        PackageResult result = verifier.verify(tar, trusted, 1);

        assertThat(result)
                .isInstanceOfSatisfying(
                        PackageResult.Rejected.class,
                        r -> assertThat(r.detail())
                                .startsWith("0 of 1 required")
                                .contains("valid: none"));
        assertThat(outcomes(result))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        sigPath(alice).getFileName().toString(), Reason.BAD_SIGNATURE,
                        sigPath(bob).getFileName().toString(), Reason.BAD_SIGNATURE,
                        sigPath(mallory).getFileName().toString(), Reason.UNTRUSTED_KEY));
    }

    @Test
    @DisplayName("a signature file that is not OpenPGP is reported as malformed, the others still count")
    void garbageSignatureFile() throws Exception {
        Path junk = dir.resolve("image.tar.DEADBEEF.sig");
        Files.writeString(junk, "not a signature");

        PackageResult result = verifier.verify(tar, trusted, 2);

        assertThat(result).isInstanceOf(PackageResult.Accepted.class);
        assertThat(outcomes(result)).containsEntry("image.tar.DEADBEEF.sig", Reason.MALFORMED_SIGNATURE);
    }

    @Test
    @DisplayName("a tar without signature files is rejected, saying none were found")
    void noSignatures() throws IOException {
        for (Path sig : List.of(sigPath(alice), sigPath(bob), sigPath(mallory))) {
            Files.delete(sig);
        }

        PackageResult result = verifier.verify(tar, trusted, 1);

        assertThat(result)
                .isInstanceOfSatisfying(
                        PackageResult.Rejected.class,
                        r -> assertThat(r.detail()).startsWith("no signature files image.tar.<KEYID>.sig found"));
    }
}
