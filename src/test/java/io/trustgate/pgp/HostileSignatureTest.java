package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignatureCheck.Reason;
import io.trustgate.pgp.SignatureCheck.Rejected;
import io.trustgate.pgp.SignatureCheck.Valid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenPGP decompression attacks of issue 10: a small {@code signature-N} that inflates into millions of
 * packets, or into a huge packet. The messages are made here with Bouncy Castle's generator, not committed.
 */
class HostileSignatureTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static final String IDENTITY = "registry.example.test/team/app:1.0";
    /** An old-format marker packet (tag 10, one-byte length 3): "PGP". */
    private static final byte[] MARKER = {(byte) 0xA8, 0x03, 'P', 'G', 'P'};

    private static GpgHome gpg;
    private static String signer;
    private static PgpKeys trusted;
    private static SimpleSigning simpleSigning;

    @BeforeAll
    static void makeKey() throws Exception {
        GpgHome.require();
        gpg = new GpgHome();
        signer = gpg.generateKey("Signer <signer@example.test>", "ed25519", "never");
        trusted = PgpKeys.parse(gpg.exportPublic(signer));
        simpleSigning = new SimpleSigning(Clock.fixed(Instant.now().plusSeconds(600), ZoneOffset.UTC));
    }

    @AfterAll
    static void removeKey() throws Exception {
        if (gpg != null) {
            gpg.close();
        }
    }

    /** A compressed-data packet (ZLIB, best compression) holding {@code content}. */
    static byte[] compressed(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PGPCompressedDataGenerator generator = new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZLIB, 9);
        try (OutputStream body = generator.open(out)) {
            body.write(content);
        }
        return out.toByteArray();
    }

    /** {@code count} marker packets. */
    static byte[] markers(int count) {
        byte[] bytes = new byte[count * MARKER.length];
        for (int i = 0; i < count; i++) {
            System.arraycopy(MARKER, 0, bytes, i * MARKER.length, MARKER.length);
        }
        return bytes;
    }

    private static byte[] goodPayload() {
        return ("{\"critical\":{\"type\":\"" + SimpleSigning.SIGNATURE_TYPE
                        + "\",\"image\":{\"docker-manifest-digest\":\"" + DIGEST
                        + "\"},\"identity\":{\"docker-reference\":\"" + IDENTITY + "\"}},\"optional\":{}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Verifies the hostile signature beside a good one; the good one must still count. */
    private static Rejected rejectedBesideGoodOne(byte[] hostile) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        List<SignatureCheck> checks = simpleSigning.verifyAll(
                List.of(hostile, gpg.sign(signer, goodPayload())),
                trusted,
                DIGEST,
                ImageReference.parse(IDENTITY),
                SignedIdentity.DEFAULT);
        System.out.printf(
                "hostile signature of %d bytes: %.1f ms CPU%n",
                hostile.length, (threads.getCurrentThreadCpuTime() - cpu) / 1e6);
        assertThat(checks.get(1)).isInstanceOf(Valid.class);
        assertThat(checks.get(0)).isInstanceOf(Rejected.class);
        return (Rejected) checks.get(0);
    }

    @Test
    @DisplayName(
            "a compressed packet full of marker packets (the 11 KB heap exhaustion) is rejected at the packet limit")
    void compressedMarkers() throws Exception {
        byte[] hostile = compressed(markers(2_000_000));
        assertThat(hostile.length).isLessThan(PgpLimits.MAX_SIGNATURE_BYTES);

        Rejected rejected = rejectedBesideGoodOne(hostile);

        assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED_SIGNATURE);
        assertThat(rejected.detail()).contains("more than " + PgpLimits.MAX_PACKETS + " OpenPGP packets");
    }

    @Test
    @DisplayName(
            "one more marker packet than the packet limit allows is rejected; exactly at the limit is not the reason")
    void justOverThePacketLimit() throws Exception {
        Rejected over = rejectedBesideGoodOne(compressed(markers(PgpLimits.MAX_PACKETS)));
        Rejected at = rejectedBesideGoodOne(compressed(markers(PgpLimits.MAX_PACKETS - 1)));

        assertThat(over.detail()).contains("more than " + PgpLimits.MAX_PACKETS + " OpenPGP packets");
        assertThat(at.detail()).doesNotContain("OpenPGP packets").contains("found nothing");
    }

    /** A private/experimental packet (tag 60, new format, 5-octet length) that is {@code total} bytes long. */
    static byte[] experimentalPacket(int total) {
        int bodyLength = total - 6;
        byte[] packet = new byte[total];
        packet[0] = (byte) (0xC0 | 60);
        packet[1] = (byte) 0xFF;
        packet[2] = (byte) (bodyLength >>> 24);
        packet[3] = (byte) (bodyLength >>> 16);
        packet[4] = (byte) (bodyLength >>> 8);
        packet[5] = (byte) bodyLength;
        return packet;
    }

    @Test
    @DisplayName("a compressed packet inflating into one 32 MiB packet is rejected at the decompressed-size limit")
    void compressedHugePacket() throws Exception {
        byte[] hostile = compressed(experimentalPacket(32 * 1024 * 1024));
        assertThat(hostile.length).isLessThan(PgpLimits.MAX_SIGNATURE_BYTES);

        Rejected rejected = rejectedBesideGoodOne(hostile);

        assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED_SIGNATURE);
        assertThat(rejected.detail()).contains("more than " + PgpLimits.MAX_DECOMPRESSED_BYTES + " bytes");
    }

    @Test
    @DisplayName("decompressed data one byte over the size limit is rejected; exactly at it is judged on its content")
    void justOverTheDecompressedLimit() throws Exception {
        Rejected over = rejectedBesideGoodOne(compressed(experimentalPacket(PgpLimits.MAX_DECOMPRESSED_BYTES + 1)));
        Rejected at = rejectedBesideGoodOne(compressed(experimentalPacket(PgpLimits.MAX_DECOMPRESSED_BYTES)));

        assertThat(over.detail()).contains("more than " + PgpLimits.MAX_DECOMPRESSED_BYTES + " bytes");
        assertThat(at.detail()).doesNotContain("bytes").contains("found ExperimentalPacket");
    }

    @Test
    @DisplayName("compressed data nested in compressed data is rejected without inflating the inner layer")
    void nestedCompression() throws Exception {
        byte[] hostile = compressed(compressed(compressed(markers(1_000_000))));

        Rejected rejected = rejectedBesideGoodOne(hostile);

        assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED_SIGNATURE);
        assertThat(rejected.detail()).contains("nested compressed data");
    }

    /** A one-pass signature header (by a fresh key) and a literal data packet of {@code length} zero bytes. */
    private static byte[] onePassAndLiteral(int length) throws Exception {
        Ed25519KeyPairGenerator keys = new Ed25519KeyPairGenerator();
        keys.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        PGPKeyPair key = new BcPGPKeyPair(
                PublicKeyAlgorithmTags.EDDSA_LEGACY,
                keys.generateKeyPair(),
                java.util.Date.from(java.time.Instant.EPOCH));
        PGPSignatureGenerator generator = new PGPSignatureGenerator(
                new BcPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256),
                key.getPublicKey());
        generator.init(PGPSignature.BINARY_DOCUMENT, key.getPrivateKey());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BCPGOutputStream out = new BCPGOutputStream(bytes);
        generator.generateOnePassVersion(false).encode(out);
        try (OutputStream data = new PGPLiteralDataGenerator()
                .open(out, PGPLiteralData.BINARY, "", length, java.util.Date.from(java.time.Instant.EPOCH))) {
            data.write(new byte[length]);
        }
        out.close();
        return bytes.toByteArray();
    }

    @Test
    @DisplayName(
            "a signed payload one byte over its limit is rejected naming it; at the limit it is judged on its content")
    void justOverThePayloadLimit() throws Exception {
        Rejected over = rejectedBesideGoodOne(compressed(onePassAndLiteral(PgpLimits.MAX_PAYLOAD_BYTES + 1)));
        Rejected at = rejectedBesideGoodOne(compressed(onePassAndLiteral(PgpLimits.MAX_PAYLOAD_BYTES)));

        assertThat(over.detail()).contains("larger than the limit of " + PgpLimits.MAX_PAYLOAD_BYTES + " bytes");
        assertThat(at.detail()).doesNotContain("limit").contains("no signature after its data");
    }

    @Test
    @DisplayName(
            "verify-package: one .sig file more than the limit, or one byte over the size limit, is refused naming it")
    void packageBounds(@TempDir Path dir) throws Exception {
        Path tar = dir.resolve("image.tar");
        Files.write(tar, new byte[] {1, 2, 3});
        SignaturePackage verifier = new SignaturePackage(Clock.systemUTC());
        for (int i = 0; i < PgpLimits.MAX_PACKAGE_SIGNATURES; i++) {
            Files.write(dir.resolve("image.tar." + i + ".sig"), new byte[] {(byte) 0xA8, 0x03, 'P', 'G', 'P'});
        }
        assertThat(verifier.verify(tar, trusted, 1))
                .isInstanceOfSatisfying(
                        PackageResult.Rejected.class,
                        r -> assertThat(r.detail())
                                .doesNotContain("more than the limit")
                                .hasSizeGreaterThan(0));

        Files.write(dir.resolve("image.tar.extra.sig"), new byte[1]);
        assertThat(verifier.verify(tar, trusted, 1))
                .isInstanceOfSatisfying(
                        PackageResult.Rejected.class,
                        r -> assertThat(r.detail())
                                .contains("more than the limit of " + PgpLimits.MAX_PACKAGE_SIGNATURES));

        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".sig")).toList()) {
                Files.delete(f);
            }
        }
        Files.write(dir.resolve("image.tar.big.sig"), new byte[PgpLimits.MAX_DETACHED_SIGNATURE_BYTES + 1]);
        assertThat(verifier.verify(tar, trusted, 1))
                .isInstanceOfSatisfying(
                        PackageResult.Rejected.class,
                        r -> assertThat(r.files())
                                .singleElement()
                                .isInstanceOfSatisfying(
                                        PackageResult.FileCheck.Rejected.class,
                                        f -> assertThat(f.detail())
                                                .contains("more than the limit of "
                                                        + PgpLimits.MAX_DETACHED_SIGNATURE_BYTES)));
    }
}
