package io.trustgate.notation;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.notation.NotationCheck.Reason;
import io.trustgate.notation.NotationVerifier.TargetArtifact;
import io.trustgate.tuf.TufKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The COSE reader and its bounds, offline: a real envelope written by notation v1.3.2
 * ({@code src/test/resources/notation/cose/README.md}) with a pinned clock, and hand-built CBOR just over each
 * bound of {@link NotationLimits}.
 */
class CoseEnvelopeTest {

    private static final Path FIXTURE = Path.of("src/test/resources/notation/cose");
    private static final String DIGEST = "sha256:8118c078d6d3e70a45d13001cb82c310ff27971e48f40f0b05ee5626a05bc5a9";
    private static final TargetArtifact TARGET =
            new TargetArtifact("application/vnd.oci.image.manifest.v1+json", DIGEST, 401);
    private static final Instant SIGNED = Instant.parse("2026-12-01T03:00:00Z");

    private static byte[] envelope;
    private static X509Certificate anchor;
    private static NotationVerifier verifier;

    @BeforeAll
    static void load() throws Exception {
        envelope = Files.readAllBytes(FIXTURE.resolve("notation-v1.3.2.cose"));
        anchor = TufKey.certificate(Files.readAllBytes(FIXTURE.resolve("notation-v1.3.2.crt")));
        verifier = new NotationVerifier(Clock.fixed(SIGNED, ZoneOffset.UTC));
    }

    private static NotationCheck verify(byte[] cose) {
        return verifier.verify(cose, NotationVerifier.COSE, List.of(anchor), List.of(), TARGET);
    }

    private static NotationCheck.Rejected rejected(byte[] cose) {
        NotationCheck check = verify(cose);
        assertThat(check).isInstanceOf(NotationCheck.Rejected.class);
        return (NotationCheck.Rejected) check;
    }

    @Test
    @DisplayName("notation's COSE envelope verifies offline: PS256 over Sig_structure, its descriptor, its anchor")
    void realEnvelope() throws Exception {
        assertThat(verify(envelope))
                .isInstanceOfSatisfying(
                        NotationCheck.Valid.class, v -> assertThat(v.subject()).contains("CN=release", "O=Notary"));
        assertThat(verifier.verify(envelope, NotationVerifier.COSE, List.of(anchor), List.of(), DIGEST))
                .isInstanceOf(NotationCheck.Valid.class);
    }

    @Test
    @DisplayName("the signed descriptor must be the image's: another media type or size is denied")
    void descriptor() {
        assertThat(verifier.verify(
                        envelope,
                        NotationVerifier.COSE,
                        List.of(anchor),
                        List.of(),
                        new TargetArtifact("application/vnd.oci.image.index.v1+json", DIGEST, 401)))
                .isInstanceOfSatisfying(
                        NotationCheck.Rejected.class,
                        r -> assertThat(r.detail())
                                .contains("signed for media type application/vnd.oci.image.manifest.v1+json"));
        assertThat(verifier.verify(
                        envelope,
                        NotationVerifier.COSE,
                        List.of(anchor),
                        List.of(),
                        new TargetArtifact(TARGET.mediaType(), DIGEST, 402)))
                .isInstanceOfSatisfying(
                        NotationCheck.Rejected.class,
                        r -> assertThat(r.reason()).isEqualTo(Reason.DIGEST_MISMATCH));
    }

    @Test
    @DisplayName("a flipped bit in any byte of the envelope is denied (outside the unsigned header), none throws")
    void everyBitFlip() {
        for (int i = 0; i < envelope.length; i++) {
            int bit = i % 8; // one bit per byte, every bit position in turn: 1,485 checks, not 11,880
            byte[] flipped = envelope.clone();
            flipped[i] ^= (byte) (1 << bit);
            NotationCheck check = verify(flipped);
            if (check instanceof NotationCheck.Valid) {
                // only the unprotected header is outside the signature: a flip there may leave a valid chain
                assertThat(i).as("byte %d bit %d", i, bit).isBetween(unprotectedStart(), unprotectedEnd());
            }
        }
    }

    /** The unprotected map starts right after the protected bstr: tag, array head, bstr head (2 bytes), body. */
    private static int unprotectedStart() {
        return 2 + 2 + (envelope[3] & 0xFF);
    }

    private static int unprotectedEnd() {
        int payload = indexOf(envelope, "{\"targetArtifact\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return payload - 3; // the payload's bstr head (2 bytes) precedes it
    }

    @Test
    @DisplayName("an envelope one byte over MAX_ENVELOPE_BYTES is denied before parsing")
    void oversize() {
        byte[] big = new byte[NotationLimits.MAX_ENVELOPE_BYTES + 1];
        System.arraycopy(envelope, 0, big, 0, envelope.length);
        assertThat(rejected(big).detail()).contains("more than the limit of " + NotationLimits.MAX_ENVELOPE_BYTES);
    }

    @Test
    @DisplayName("CBOR nested one level deeper than MAX_CBOR_DEPTH is denied, and 60,000 levels cost no stack")
    void deep() {
        assertThat(rejected(nested(NotationLimits.MAX_CBOR_DEPTH + 1)).detail())
                .contains("nested deeper than " + NotationLimits.MAX_CBOR_DEPTH);
        assertThat(rejected(nested(NotationLimits.MAX_CBOR_DEPTH)).detail())
                .as("at the bound the CBOR is read; the shape is then wrong")
                .doesNotContain("nested deeper")
                .contains("COSE_Sign1");
        assertThat(rejected(nested(60_000)).reason()).isEqualTo(Reason.MALFORMED_ENVELOPE);
    }

    /** {@code 18([[[...]]])}: the tagged array and depth-1 more arrays inside it. */
    private static byte[] nested(int depth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xD2);
        for (int i = 0; i < depth - 1; i++) {
            out.write(0x81);
        }
        out.write(0x80);
        return out.toByteArray();
    }

    @Test
    @DisplayName("a map of MAX_CBOR_ITEMS entries (one item over, with its keys) is denied")
    void items() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xD2);
        out.write(0x9F); // indefinite-length array
        for (int i = 0; i < NotationLimits.MAX_CBOR_ITEMS; i++) {
            out.write(0x00);
        }
        out.write(0xFF);
        assertThat(rejected(out.toByteArray()).detail())
                .contains("more than " + NotationLimits.MAX_CBOR_ITEMS + " CBOR data items");
        ByteArrayOutputStream atBound = new ByteArrayOutputStream();
        atBound.write(0xD2);
        atBound.write(0x9F);
        for (int i = 0; i < NotationLimits.MAX_CBOR_ITEMS - 1; i++) {
            atBound.write(0x00);
        }
        atBound.write(0xFF);
        assertThat(rejected(atBound.toByteArray()).detail()).doesNotContain("data items");
    }

    @Test
    @DisplayName("an x5chain of MAX_CHAIN_LENGTH + 1 certificates is denied")
    void chainLength() {
        byte[] cert = encodedAnchor();
        assertThat(rejected(sign1(NotationLimits.MAX_CHAIN_LENGTH + 1, cert)).detail())
                .contains("x5chain has " + (NotationLimits.MAX_CHAIN_LENGTH + 1) + " certificates");
        assertThat(rejected(sign1(NotationLimits.MAX_CHAIN_LENGTH, cert)).detail())
                .doesNotContain("x5chain has");
    }

    @Test
    @DisplayName("a repeated map label is refused; integer label 1 and text label \"1\" are different labels")
    void labels() {
        // 18([h'A20126' + ..., ...]) with protected {1: -7, 1: -7}
        byte[] twice = message(new byte[] {(byte) 0xA2, 0x01, 0x26, 0x01, 0x26});
        assertThat(rejected(twice).detail()).contains("label 1 appears twice");
        byte[] distinct = message(new byte[] {(byte) 0xA2, 0x01, 0x26, 0x61, '1', 0x26});
        assertThat(rejected(distinct).detail()).doesNotContain("appears twice");
        byte[] bstrKey = message(new byte[] {(byte) 0xA1, 0x41, 0x01, 0x26});
        assertThat(rejected(bstrKey).detail()).contains("COSE labels are integers or text");
    }

    @Test
    @DisplayName("an untagged COSE_Sign1 and a detached payload are denied")
    void shape() {
        assertThat(rejected(java.util.Arrays.copyOfRange(envelope, 1, envelope.length))
                        .detail())
                .contains("COSE_Sign1_Tagged");
        byte[] detached = {(byte) 0xD2, (byte) 0x84, 0x43, (byte) 0xA1, 0x01, 0x26, (byte) 0xA0, (byte) 0xF6, 0x40};
        assertThat(rejected(detached).detail()).contains("detached payload");
    }

    @Test
    @DisplayName("the signing scheme notary.x509.signingAuthority is denied as unsupported, saying why")
    void signingAuthority() {
        byte[] protectedHeader = cbor(
                (byte) 0xA4,
                0x01,
                0x38,
                0x24,
                0x02,
                0x81,
                text("io.cncf.notary.signingScheme"),
                0x03,
                text(NotationVerifier.PAYLOAD_CONTENT_TYPE),
                text("io.cncf.notary.signingScheme"),
                text("notary.x509.signingAuthority"));
        NotationCheck.Rejected r = rejected(message(protectedHeader));
        assertThat(r.reason()).isEqualTo(Reason.UNSUPPORTED);
        assertThat(r.detail()).contains("notary.x509.signingAuthority", "time-stamping authority");
    }

    /** {@code 18([protected, {33: [cert x n]}, h'7B7D', h'00'])}. */
    private static byte[] sign1(int certificates, byte[] cert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0xD2, (byte) 0x84, 0x43, (byte) 0xA1, 0x01, 0x26});
        out.writeBytes(new byte[] {(byte) 0xA1, 0x18, 0x21, (byte) (0x80 | certificates)});
        for (int i = 0; i < certificates; i++) {
            out.writeBytes(bstr(cert));
        }
        out.writeBytes(new byte[] {0x42, '{', '}', 0x41, 0x00});
        return out.toByteArray();
    }

    /** {@code 18([bstr(protected), {33: [anchor]}, h'7B7D', h'00'])}. */
    private static byte[] message(byte[] protectedHeader) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0xD2, (byte) 0x84});
        out.writeBytes(bstr(protectedHeader));
        out.writeBytes(new byte[] {(byte) 0xA1, 0x18, 0x21, (byte) 0x81});
        out.writeBytes(bstr(encodedAnchor()));
        out.writeBytes(new byte[] {0x42, '{', '}', 0x41, 0x00});
        return out.toByteArray();
    }

    private static byte[] bstr(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (content.length < 24) {
            out.write(0x40 | content.length);
        } else if (content.length < 256) {
            out.write(0x58);
            out.write(content.length);
        } else {
            out.write(0x59);
            out.write(content.length >>> 8);
            out.write(content.length & 0xFF);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] text(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] head = bstr(b);
        head[0] = (byte) (head[0] + 0x20); // major type 3 instead of 2
        return head;
    }

    private static byte[] cbor(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof byte[] b) {
                out.writeBytes(b);
            } else {
                out.write(((Number) p).intValue());
            }
        }
        return out.toByteArray();
    }

    private static byte[] encodedAnchor() {
        try {
            return anchor.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where {@code needle} first stands in {@code haystack}, or -1 (ISO-8859-1 maps each byte to one char). */
    private static int indexOf(byte[] haystack, byte[] needle) {
        return new String(haystack, StandardCharsets.ISO_8859_1)
                .indexOf(new String(needle, StandardCharsets.ISO_8859_1));
    }

    @Test
    @DisplayName("the real envelope after its certificate's notAfter is denied (expired certificate)")
    void expiredCertificate() {
        NotationVerifier late = new NotationVerifier(
                Clock.fixed(anchor.getNotAfter().toInstant().plus(Duration.ofSeconds(1)), ZoneOffset.UTC));
        NotationCheck check = late.verify(envelope, NotationVerifier.COSE, List.of(anchor), List.of(), TARGET);
        assertThat(check)
                .isInstanceOfSatisfying(
                        NotationCheck.Rejected.class,
                        r -> assertThat(r.reason()).isEqualTo(Reason.EXPIRED_CERTIFICATE));
    }
}
