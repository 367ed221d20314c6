package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignatureCheck.Reason;
import io.trustgate.pgp.SignatureCheck.Rejected;
import io.trustgate.pgp.SignatureCheck.Valid;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Simple signing against signatures made at test time by the real gpg. */
class SimpleSigningTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static final String OTHER_DIGEST = "sha256:" + "cd".repeat(32);
    private static final String IDENTITY = "registry.example.test/team/app:1.0";

    private static GpgHome gpg;
    private static String signer;
    private static String stranger;
    private static String revoked;
    private static String shortLived;
    private static PgpKeys trusted;
    private static Instant madeAt;

    @BeforeAll
    static void makeKeys() throws Exception {
        GpgHome.require();
        gpg = new GpgHome();
        madeAt = Instant.now();
        signer = gpg.generateKey("Signer <signer@example.test>", "ed25519", "never");
        stranger = gpg.generateKey("Stranger <stranger@example.test>", "ed25519", "never");
        revoked = gpg.generateKey("Revoked <revoked@example.test>", "ed25519", "never");
        shortLived = gpg.generateKey("Short <short@example.test>", "ed25519", "1d");
        trusted = PgpKeys.parse(gpg.exportPublic(signer, shortLived));
    }

    @AfterAll
    static void removeKeys() throws Exception {
        if (gpg != null) {
            gpg.close();
        }
    }

    private static SimpleSigning at(Instant instant) {
        return new SimpleSigning(Clock.fixed(instant, ZoneOffset.UTC));
    }

    private static SimpleSigning now() {
        return at(madeAt.plus(Duration.ofMinutes(10)));
    }

    private static byte[] payload(String type, String digest, String reference, String extraCritical) {
        String json = "{\"critical\":{\"type\":\"" + type + "\",\"image\":{\"docker-manifest-digest\":\"" + digest
                + "\"},\"identity\":{\"docker-reference\":\"" + reference + "\"}" + extraCritical
                + "},\"optional\":{\"creator\":\"trustgate test\",\"timestamp\":1700000000}}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] goodPayload() {
        return payload(SimpleSigning.SIGNATURE_TYPE, DIGEST, IDENTITY, "");
    }

    private static ImageReference image(String reference) throws Exception {
        return ImageReference.parse(reference);
    }

    @Test
    @DisplayName(
            "a gpg-made signature over the right digest and identity is valid, with the primary fingerprint as signer")
    void validSignature() throws Exception {
        byte[] signature = gpg.sign(signer, goodPayload());

        SignatureCheck check = now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT);

        assertThat(check).isEqualTo(new Valid(signer, IDENTITY, DIGEST));
    }

    @Test
    @DisplayName("an ASCII-armoured signature is read as well")
    void armouredSignature() throws Exception {
        byte[] signature = gpg.sign(signer, goodPayload(), "--armor");

        assertThat(now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isInstanceOf(Valid.class);
    }

    @Test
    @DisplayName("a signature for another manifest digest is rejected, naming both digests")
    void wrongDigest() throws Exception {
        byte[] signature = gpg.sign(signer, goodPayload());

        SignatureCheck check = now().verify(signature, trusted, OTHER_DIGEST, image(IDENTITY), SignedIdentity.DEFAULT);

        assertThat(check).isInstanceOfSatisfying(Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
            assertThat(r.detail()).isEqualTo("payload names digest " + DIGEST + " but the image is " + OTHER_DIGEST);
        });
    }

    @Test
    @DisplayName("a signature naming another image is rejected under matchRepoDigestOrExact, naming both references")
    void foreignIdentity() throws Exception {
        byte[] signature =
                gpg.sign(signer, payload(SimpleSigning.SIGNATURE_TYPE, DIGEST, "docker.io/evil/app:1.0", ""));

        SignatureCheck check = now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT);

        assertThat(check).isInstanceOfSatisfying(Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(Reason.IDENTITY_MISMATCH);
            assertThat(r.detail())
                    .isEqualTo("signed identity docker.io/evil/app:1.0 does not match " + IDENTITY
                            + " under matchRepoDigestOrExact");
        });
    }

    @Test
    @DisplayName("a signed identity in the same repository with another tag is accepted only under matchRepository")
    void otherTagSameRepository() throws Exception {
        byte[] signature = gpg.sign(
                signer, payload(SimpleSigning.SIGNATURE_TYPE, DIGEST, "registry.example.test/team/app:2.0", ""));

        assertThat(now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.parse("matchExact")))
                .extracting(c -> ((Rejected) c).reason())
                .isEqualTo(Reason.IDENTITY_MISMATCH);
        assertThat(now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.parse("matchRepository")))
                .isEqualTo(new Valid(signer, "registry.example.test/team/app:2.0", DIGEST));
    }

    @Test
    @DisplayName("an unknown field inside critical is rejected, even in a sub-object")
    void unknownCriticalField() throws Exception {
        byte[] extraInCritical =
                gpg.sign(signer, payload(SimpleSigning.SIGNATURE_TYPE, DIGEST, IDENTITY, ",\"surprise\":\"yes\""));
        String nested =
                "{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\""
                        + DIGEST + "\",\"size\":1},\"identity\":{\"docker-reference\":\"" + IDENTITY
                        + "\"}},\"optional\":{}}";
        byte[] extraInImage = gpg.sign(signer, nested.getBytes(StandardCharsets.UTF_8));

        assertThat(now().verify(extraInCritical, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isEqualTo(new Rejected(Reason.MALFORMED_PAYLOAD, "unknown field \"surprise\" in \"critical\""));
        assertThat(now().verify(extraInImage, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isEqualTo(new Rejected(Reason.MALFORMED_PAYLOAD, "unknown field \"size\" in \"critical.image\""));
    }

    @Test
    @DisplayName("unknown fields inside optional are free")
    void unknownOptionalFieldIsFree() throws Exception {
        String json = "{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\""
                + DIGEST + "\"},\"identity\":{\"docker-reference\":\"" + IDENTITY + "\"}},"
                + "\"optional\":{\"anything\":{\"goes\":[1,2]}}}";
        byte[] signature = gpg.sign(signer, json.getBytes(StandardCharsets.UTF_8));

        assertThat(now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isInstanceOf(Valid.class);
    }

    @Test
    @DisplayName("a duplicated JSON key in the payload is rejected (no parser-differential games)")
    void duplicateKey() throws Exception {
        String json = "{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\""
                + DIGEST + "\"},\"identity\":{\"docker-reference\":\"docker.io/evil/app:1\",\"docker-reference\":\""
                + IDENTITY + "\"}},\"optional\":{}}";
        byte[] signature = gpg.sign(signer, json.getBytes(StandardCharsets.UTF_8));

        assertThat(now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isInstanceOfSatisfying(Rejected.class, r -> {
                    assertThat(r.reason()).isEqualTo(Reason.MALFORMED_PAYLOAD);
                    assertThat(r.detail()).contains("Duplicate field 'docker-reference'");
                });
    }

    @Test
    @DisplayName("a payload of another type is rejected")
    void wrongType() throws Exception {
        byte[] signature = gpg.sign(signer, payload("atomic container signature v2", DIGEST, IDENTITY, ""));

        assertThat(now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isEqualTo(new Rejected(
                        Reason.WRONG_TYPE,
                        "critical.type is \"atomic container signature v2\", not \"atomic container signature\""));
    }

    @Test
    @DisplayName("a good signature by a key that is not trusted is rejected, naming the key")
    void untrustedKey() throws Exception {
        byte[] signature = gpg.sign(stranger, goodPayload());

        assertThat(now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isInstanceOfSatisfying(Rejected.class, r -> {
                    assertThat(r.reason()).isEqualTo(Reason.UNTRUSTED_KEY);
                    assertThat(r.detail())
                            .startsWith("signature by key " + stranger.substring(24) + " is not from a trusted key")
                            .contains(signer);
                });
    }

    @Test
    @DisplayName("a signature that carries a 1-day expiry is rejected 2 days later, valid before")
    void expiredSignature() throws Exception {
        byte[] signature = gpg.sign(signer, goodPayload(), "--default-sig-expire", "1d");

        assertThat(now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isInstanceOf(Valid.class);
        assertThat(at(madeAt.plus(Duration.ofDays(2)))
                        .verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isInstanceOfSatisfying(Rejected.class, r -> {
                    assertThat(r.reason()).isEqualTo(Reason.SIGNATURE_EXPIRED);
                    assertThat(r.detail()).startsWith("signature expired at ");
                });
    }

    @Test
    @DisplayName("a signature by a key that has expired at the reference time is rejected")
    void expiredKey() throws Exception {
        byte[] signature = gpg.sign(shortLived, goodPayload());

        assertThat(now().verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isEqualTo(new Valid(shortLived, IDENTITY, DIGEST));
        assertThat(at(madeAt.plus(Duration.ofDays(2)))
                        .verify(signature, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isInstanceOfSatisfying(Rejected.class, r -> {
                    assertThat(r.reason()).isEqualTo(Reason.KEY_EXPIRED);
                    assertThat(r.detail()).startsWith("key " + shortLived + " expired at ");
                });
    }

    @Test
    @DisplayName("a signature by a revoked key is rejected, even one made before the revocation")
    void revokedKey() throws Exception {
        byte[] signature = gpg.sign(revoked, goodPayload());
        gpg.revoke(revoked);
        PgpKeys withRevoked = PgpKeys.parse(gpg.exportPublic(revoked));

        assertThat(now().verify(signature, withRevoked, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isInstanceOfSatisfying(Rejected.class, r -> {
                    assertThat(r.reason()).isEqualTo(Reason.KEY_REVOKED);
                    assertThat(r.detail()).startsWith("key " + revoked + " was revoked at ");
                });
    }

    @Test
    @DisplayName("a signature by a gpg-made signing subkey counts for its certify-only primary key")
    void signingSubkey() throws Exception {
        String primary = gpg.generateKey("Subkeyed <subkeyed@example.test>", "ed25519", "cert", "never");
        String subkey = gpg.addSigningSubkey(primary);
        PgpKeys keys = PgpKeys.parse(gpg.exportPublic(primary));

        byte[] bySubkey = gpg.sign(subkey + "!", goodPayload());

        assertThat(now().verify(bySubkey, keys, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isEqualTo(new Valid(primary, IDENTITY, DIGEST));
        assertThat(keys.primaryFingerprints()).containsExactly(primary).doesNotContain(subkey);
    }

    @Test
    @DisplayName("altering the signature bytes gives a bad signature or a malformed message, never a valid one")
    void corruptedSignature() throws Exception {
        byte[] signature = gpg.sign(signer, goodPayload(), "--compress-algo", "none");
        byte[] altered = signature.clone();
        altered[altered.length - 3] ^= 0x01;

        assertThat(now().verify(altered, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isInstanceOfSatisfying(
                        Rejected.class,
                        r -> assertThat(r.reason()).isIn(Reason.BAD_SIGNATURE, Reason.MALFORMED_SIGNATURE));
    }

    @Test
    @DisplayName("two signatures by the same key count as one signer; a bad signature does not veto a good one")
    void distinctSigners() throws Exception {
        List<byte[]> signatures = List.of(
                gpg.sign(signer, "This is not JSON\n".getBytes(StandardCharsets.UTF_8)),
                gpg.sign(signer, goodPayload()),
                gpg.sign(signer, goodPayload()),
                gpg.sign(stranger, goodPayload()));

        List<SignatureCheck> checks =
                now().verifyAll(signatures, trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT);

        assertThat(checks)
                .extracting(c -> c.getClass().getSimpleName())
                .containsExactly("Rejected", "Valid", "Valid", "Rejected");
        assertThat(SignatureCheck.distinctSigners(checks)).containsExactly(signer);
    }

    @Test
    @DisplayName("an oversized or empty signature is rejected before parsing")
    void sizeLimits() throws Exception {
        assertThat(now().verify(
                                new byte[PgpLimits.MAX_SIGNATURE_BYTES + 1],
                                trusted,
                                DIGEST,
                                image(IDENTITY),
                                SignedIdentity.DEFAULT))
                .extracting(c -> ((Rejected) c).reason())
                .isEqualTo(Reason.MALFORMED_SIGNATURE);
        assertThat(now().verify(new byte[0], trusted, DIGEST, image(IDENTITY), SignedIdentity.DEFAULT))
                .isEqualTo(new Rejected(Reason.MALFORMED_SIGNATURE, "signature is empty"));
    }

    @Test
    @DisplayName("trusted keys: several armoured keys in one input are all read; secret keys and garbage are refused")
    void keyParsing() throws Exception {
        byte[] first = gpg.exportPublic(signer);
        byte[] second = gpg.exportPublic(stranger);
        byte[] both = (new String(first, StandardCharsets.US_ASCII) + "\n"
                        + new String(second, StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII);

        assertThat(PgpKeys.parse(both).primaryFingerprints()).containsExactly(signer, stranger);
        assertThat(PgpKeys.parse(first, second, first).primaryFingerprints()).containsExactly(signer, stranger);
        assertThatThrownBy(() -> PgpKeys.parse(gpg.exportSecret(signer)))
                .isInstanceOf(PgpKeyException.class)
                .hasMessageContaining("secret key material");
        assertThatThrownBy(() -> PgpKeys.parse("not a key".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(PgpKeyException.class);
    }
}
