package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.image.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One {@link PgpKeys} and one {@link SimpleSigning} are shared by all admission threads. */
class SimpleSigningConcurrencyTest {

    private static final String DIGEST = "sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55";

    @Test
    @DisplayName("shared keys give the same verdicts from many threads at once (subkey binding and revocation checks)")
    void sharedKeysAcrossThreads() throws Exception {
        Path set = SimpleSigningConformanceTest.conformanceDir().resolve("simple-signing/c-image-signatures");
        PgpKeys keys = PgpKeys.parse(
                Files.readAllBytes(set.resolve("keys/public-key-with-subkey.gpg")),
                Files.readAllBytes(set.resolve("keys/public-key-with-revoked-subkey.gpg")));
        byte[] good = Files.readAllBytes(set.resolve("signatures/subkey.signature"));
        byte[] revoked = Files.readAllBytes(set.resolve("signatures/subkey-revoked.signature"));
        SimpleSigning verifier = new SimpleSigning(Clock.fixed(Instant.parse("2026-11-23T00:00:00Z"), ZoneOffset.UTC));
        ImageReference image = ImageReference.parse("docker.io/testing/manifest:latest");

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<SignatureCheck>>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                results.add(pool.submit(
                        () -> verifier.verifyAll(List.of(good, revoked), keys, DIGEST, image, SignedIdentity.DEFAULT)));
            }
            for (Future<List<SignatureCheck>> result : results) {
                List<SignatureCheck> checks = result.get();
                assertThat(checks.get(0))
                        .isEqualTo(new SignatureCheck.Valid(
                                "B9F4CDB9FD8C475BFA340AC38D54A947EE396F36", "testing/manifest:latest", DIGEST));
                assertThat(checks.get(1))
                        .isInstanceOfSatisfying(
                                SignatureCheck.Rejected.class,
                                r -> assertThat(r.reason()).isEqualTo(SignatureCheck.Reason.KEY_REVOKED));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
