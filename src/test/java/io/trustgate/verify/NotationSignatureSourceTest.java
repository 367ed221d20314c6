package io.trustgate.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.NotationConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.MediaTypes;
import io.trustgate.registry.Referrers;
import io.trustgate.testing.Await;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.MutableClock;
import io.trustgate.testing.NotationCli;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import io.trustgate.testing.VerifierFixture;
import io.trustgate.transport.VertxRegistryClient;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Notation signatures end to end, JWS and COSE: images in a real docker-registry (no referrers API, so notation
 * keeps the referrers tag) and in go-containerregistry's registry (referrers API) signed by the real notation v1.3.2 ({@code scripts/build-notation.sh}) with certificates from
 * {@code notation cert generate-test}, checked by {@link NotationSignatureSource} through the real
 * {@link VertxRegistryClient}. {@code notation verify} is asked the same question wherever it can be (it has no
 * pinned clock, so the expiry cases have no oracle) and must agree.
 */
class NotationSignatureSourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RegistryPeer registry;
    /** go-containerregistry's registry: serves the referrers API, where notation pushes no referrers tag. */
    private static RegistryPeer referrersRegistry;

    private static VerifierFixture fixture;
    private static NotationCli cli;
    private static Path work;
    private static Path release;
    private static Path other;
    private static MutableClock clock;
    private static NotationSignatureSource source;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryPeer.builder("notation-registry").start();
        referrersRegistry = RegistryPeer.builder("notation-referrers")
                .kind(RegistryPeer.Kind.REFERRERS_API)
                .start();
        work = Files.createTempDirectory(PeerProcess.peerDir("notation-keys"), "keys-");
        cli = NotationCli.create(work);
        release = signingKey("release");
        other = signingKey("other");
        // pinned after the certificates were made (their notBefore is the second they were made)
        clock = MutableClock.at(Instant.now().plusSeconds(2));
        fixture = VerifierFixture.start(clock, registry, referrersRegistry);
        source = new NotationSignatureSource(fixture.client(), clock, fixture.crypto());
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static Path signingKey(String name) {
        return cli.signingKey(name);
    }

    private static String certificate(Path config) {
        return NotationCli.certificate(config);
    }

    private static void sign(Path config, PushedImage image, String format, String... extra) {
        cli.sign(config, image.digestReference(), format, extra);
    }

    private static boolean notationVerifies(Path config, PushedImage image, String identity) {
        return cli.verifies(config, image.digestReference(), identity);
    }

    private static Policy policy(Path anchorConfig, List<String> identities) throws Exception {
        return Policy.builder(PolicyId.cluster("notation"), "uid-notation", "1")
                .images(List.of(
                        ImagePattern.compile(registry.host() + "/**"),
                        ImagePattern.compile(referrersRegistry.host() + "/**")))
                .signers(List.of(Signer.builder("release-team")
                        .keys(List.of(certificate(anchorConfig)))
                        .notationIdentities(identities)
                        .build()))
                .signedIdentity(null)
                .notation(new NotationConfig())
                .build();
    }

    private static SourceFindings collect(PushedImage image, Policy policy) throws Exception {
        assertThat(source.appliesTo(policy)).isTrue();
        return source.collect(ImageReference.parse(image.reference()), image.digest(), policy)
                .get(60, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a JWS signature by a certificate that is the signer's anchor admits; notation verify agrees")
    void signedJws() throws Exception {
        PushedImage image = ImageFactory.pushRandom(registry, "demo/jws", "1.0");
        sign(release, image, "jws");
        SourceFindings found = collect(image, policy(release, List.of()));
        assertThat(found.found())
                .as("problems: %s", found.problems())
                .extracting(SignerEvidence::signer)
                .containsExactly("release-team");
        assertThat(found.found().get(0).source()).isEqualTo("notation");
        assertThat(found.found().get(0).detail()).contains("CN=release", "O=Notary");
        assertThat(notationVerifies(release, image, "*")).isTrue();
        // the signature was found through the referrers tag (docker-registry has no referrers API)
        assertThat(registry.countRequests("GET", "/v2/demo/jws/manifests/" + Referrers.tagSchemaTag(image.digest())))
                .isPositive();
    }

    @Test
    @DisplayName("a matching trusted identity admits; a subject that lacks one of its attributes is denied")
    void identities() throws Exception {
        PushedImage image = ImageFactory.pushRandom(registry, "demo/identity", "1.0");
        sign(release, image, "jws");
        String matching = "x509.subject: C=US, O=Notary, CN=release";
        String mismatching = "x509.subject: C=US, O=Acme, CN=release";
        assertThat(collect(image, policy(release, List.of(matching))).found()).hasSize(1);
        SourceFindings denied = collect(image, policy(release, List.of(mismatching)));
        assertThat(denied.found()).isEmpty();
        assertThat(denied.problems()).singleElement().asString().contains("matches none of the trusted identities");
        assertThat(notationVerifies(release, image, "x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=release"))
                .isTrue();
        assertThat(notationVerifies(release, image, "x509.subject: C=US, ST=WA, L=Seattle, O=Acme, CN=release"))
                .isFalse();
    }

    @Test
    @DisplayName("an unsigned image is denied: no Notation signatures; notation verify agrees")
    void unsigned() throws Exception {
        PushedImage image = ImageFactory.pushRandom(registry, "demo/unsigned", "1.0");
        SourceFindings found = collect(image, policy(release, List.of()));
        assertThat(found.found()).isEmpty();
        assertThat(found.problems()).singleElement().asString().contains("no Notation signatures", image.digest());
        assertThat(notationVerifies(release, image, "*")).isFalse();
    }

    @Test
    @DisplayName("a signature by another certificate does not chain to the anchor; notation verify agrees")
    void otherKey() throws Exception {
        PushedImage image = ImageFactory.pushRandom(registry, "demo/other", "1.0");
        sign(other, image, "jws");
        SourceFindings found = collect(image, policy(release, List.of()));
        assertThat(found.found()).isEmpty();
        assertThat(found.problems()).singleElement().asString().contains("leads to none of the signer's trust anchors");
        assertThat(notationVerifies(release, image, "*")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jws", "cose"})
    @DisplayName("a JWS or COSE signature with --expiry is denied once expired, and once the certificate expired"
            + " (clock past its notAfter; pinned clock)")
    void expiry(String format) throws Exception {
        PushedImage image = ImageFactory.pushRandom(registry, "demo/" + format + "-expiry", "1.0");
        sign(release, image, format, "--expiry", "1h");
        Policy policy = policy(release, List.of());
        assertThat(collect(image, policy).found()).hasSize(1);
        Instant now = clock.instant();
        try {
            clock.set(now.plus(Duration.ofHours(2)));
            SourceFindings late = collect(image, policy);
            assertThat(late.found()).isEmpty();
            assertThat(late.problems()).singleElement().asString().contains("the signature expired at");
            clock.set(now.plus(Duration.ofDays(2))); // generate-test certificates live one day
            SourceFindings expired = collect(image, policy);
            assertThat(expired.found()).isEmpty();
            assertThat(expired.problems()).singleElement().asString().contains("not at the time of verification");
        } finally {
            clock.set(now);
        }
    }

    @Test
    @DisplayName("a tampered envelope and a signature listed for another digest are denied; notation verify agrees")
    void tamperedAndMisplaced() throws Exception {
        PushedImage signed = ImageFactory.pushRandom(registry, "demo/tamper", "1.0");
        sign(release, signed, "jws");
        JsonNode index = JSON.readTree(
                ImageFactory.fetchManifest(registry, "demo/tamper", Referrers.tagSchemaTag(signed.digest())));
        String signatureDigest = index.path("manifests").get(0).path("digest").asText();
        byte[] sigManifest = ImageFactory.fetchManifest(registry, "demo/tamper", signatureDigest);

        // another digest: the genuine signature of `signed` listed as a referrer of `victim`
        PushedImage victim = ImageFactory.pushRandom(registry, "demo/tamper", "2.0");
        ImageFactory.pushManifest(
                registry,
                "demo/tamper",
                Referrers.tagSchemaTag(victim.digest()),
                MediaTypes.OCI_INDEX,
                JSON.writeValueAsBytes(index));
        SourceFindings misplaced = collect(victim, policy(release, List.of()));
        assertThat(misplaced.found()).isEmpty();
        assertThat(misplaced.problems()).singleElement().asString().contains("signed for " + signed.digest());
        assertThat(notationVerifies(release, victim, "*")).isFalse();

        // tampered: the envelope with one character of its signature changed, in a new manifest
        ObjectNode manifest = (ObjectNode) JSON.readTree(sigManifest);
        ObjectNode layer = (ObjectNode) manifest.path("layers").get(0);
        byte[] envelope = fixture.client()
                .fetchBlob(
                        ImageReference.parse(signed.reference()),
                        layer.path("digest").asText(),
                        65536,
                        io.trustgate.registry.RegistryCredentials.ANONYMOUS)
                .get(30, TimeUnit.SECONDS);
        ObjectNode jws = (ObjectNode) JSON.readTree(envelope);
        String sig = jws.path("signature").asText();
        jws.put("signature", (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1));
        byte[] tampered = JSON.writeValueAsBytes(jws);
        PushedImage target = ImageFactory.pushRandom(registry, "demo/tamper", "3.0");
        layer.put("digest", ImageFactory.pushBlob(registry, "demo/tamper", tampered));
        layer.put("size", tampered.length);
        ((ObjectNode) manifest.path("subject")).put("digest", target.digest()).put("size", target.manifest().length);
        byte[] tamperedManifest = JSON.writeValueAsBytes(manifest);
        ImageFactory.PushedManifest pushed = ImageFactory.pushManifest(
                registry,
                "demo/tamper",
                "sha256:" + ImageFactory.sha256Hex(tamperedManifest),
                MediaTypes.OCI_MANIFEST,
                tamperedManifest);
        ObjectNode entry = (ObjectNode) index.path("manifests").get(0).deepCopy();
        entry.put("digest", pushed.digest()).put("size", tamperedManifest.length);
        ImageFactory.pushManifest(
                registry,
                "demo/tamper",
                Referrers.tagSchemaTag(target.digest()),
                MediaTypes.OCI_INDEX,
                JSON.writeValueAsBytes(
                        Map.of("schemaVersion", 2, "mediaType", MediaTypes.OCI_INDEX, "manifests", List.of(entry))));
        SourceFindings bad = collect(target, policy(release, List.of()));
        assertThat(bad.found()).isEmpty();
        assertThat(bad.problems()).singleElement().asString().contains("does not verify");
        assertThat(notationVerifies(release, target, "*")).isFalse();
        assertThat(new String(tampered, StandardCharsets.UTF_8))
                .isNotEqualTo(new String(envelope, StandardCharsets.UTF_8));
    }

    // --- COSE (notation sign --signature-format cose) ---

    private static RegistryPeer registryOf(RegistryPeer.Kind kind) {
        return kind == RegistryPeer.Kind.REFERRERS_API ? referrersRegistry : registry;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = RegistryPeer.Kind.class,
            names = {"DOCKER_REGISTRY", "REFERRERS_API"})
    @DisplayName(
            "a COSE signature admits, found through the referrers tag or the referrers API; notation verify agrees")
    void coseAdmitted(RegistryPeer.Kind kind) throws Exception {
        RegistryPeer peer = registryOf(kind);
        PushedImage image = ImageFactory.pushRandom(peer, "demo/cose", "1.0");
        sign(release, image, "cose");
        assertThat(envelope(image).mediaType()).isEqualTo("application/cose");
        String api = "/v2/demo/cose/referrers/" + image.digest();
        String tag = "/v2/demo/cose/manifests/" + Referrers.tagSchemaTag(image.digest());
        long apiBefore = peer.countRequests("GET", api);
        long tagBefore = peer.countRequests("GET", tag);
        SourceFindings found = collect(image, policy(release, List.of("x509.subject: C=US, O=Notary, CN=release")));
        assertThat(found.found())
                .as("problems: %s", found.problems())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactly(tuple("release-team", "notation"));
        assertThat(found.found().get(0).detail()).contains("CN=release");
        // where trustgate looked (notation's own requests are before the counts)
        if (kind == RegistryPeer.Kind.REFERRERS_API) {
            assertThat(peer.countRequests("GET", api)).isGreaterThan(apiBefore);
            assertThat(peer.countRequests("GET", tag))
                    .as("no fallback to the referrers tag when the API answers")
                    .isEqualTo(tagBefore);
        } else {
            assertThat(peer.countRequests("GET", tag)).isGreaterThan(tagBefore);
        }
        assertThat(notationVerifies(release, image, "*")).isTrue();
    }

    @Test
    @DisplayName("COSE in a registry with the referrers API: unsigned, other key and identity mismatch are denied;"
            + " notation verify agrees")
    void coseDenials() throws Exception {
        PushedImage unsigned = ImageFactory.pushRandom(referrersRegistry, "demo/cose-denied", "unsigned");
        SourceFindings none = collect(unsigned, policy(release, List.of()));
        assertThat(none.found()).isEmpty();
        assertThat(none.problems())
                .singleElement()
                .asString()
                .contains("no Notation signatures", unsigned.digest(), "referrers API");
        assertThat(notationVerifies(release, unsigned, "*")).isFalse();

        PushedImage byOther = ImageFactory.pushRandom(referrersRegistry, "demo/cose-denied", "other");
        sign(other, byOther, "cose");
        SourceFindings otherKey = collect(byOther, policy(release, List.of()));
        assertThat(otherKey.found()).isEmpty();
        assertThat(otherKey.problems())
                .singleElement()
                .asString()
                .contains("leads to none of the signer's trust anchors");
        assertThat(notationVerifies(release, byOther, "*")).isFalse();

        PushedImage signed = ImageFactory.pushRandom(referrersRegistry, "demo/cose-denied", "identity");
        sign(release, signed, "cose");
        SourceFindings mismatch = collect(signed, policy(release, List.of("x509.subject: C=US, O=Acme, CN=release")));
        assertThat(mismatch.found()).isEmpty();
        assertThat(mismatch.problems()).singleElement().asString().contains("matches none of the trusted identities");
        assertThat(notationVerifies(release, signed, "x509.subject: C=US, ST=WA, L=Seattle, O=Acme, CN=release"))
                .isFalse();
    }

    @Test
    @DisplayName(
            "a COSE signature by a short-lived P-256 certificate (ES256) admits while it lives and is denied once it"
                    + " expired; notation verify agrees on both")
    void coseShortLivedCertificate() throws Exception {
        Instant notAfter = Instant.now().plusSeconds(20);
        Path config = shortLivedKey("shortlived", notAfter);
        PushedImage image = ImageFactory.pushRandom(referrersRegistry, "demo/cose-short", "1.0");
        sign(config, image, "cose");
        Policy policy = policy(config, List.of("x509.subject: CN=short-lived"));
        Instant now = clock.instant();
        try {
            clock.set(Instant.now());
            assertThat(collect(image, policy).found()).hasSize(1);
            assertThat(notationVerifies(config, image, "*")).isTrue();
            clock.set(notAfter.plusSeconds(1));
            SourceFindings expired = collect(image, policy);
            assertThat(expired.found()).isEmpty();
            assertThat(expired.problems())
                    .singleElement()
                    .asString()
                    .contains("CN=short-lived", "not at the time of verification");
            Await.until(
                    "the certificate's notAfter to pass",
                    Duration.ofSeconds(40),
                    () -> Instant.now().isAfter(notAfter.plusSeconds(1)));
            assertThat(notationVerifies(config, image, "*")).isFalse();
        } finally {
            clock.set(now);
        }
    }

    @Test
    @DisplayName("a COSE signature listed for another digest, a tampered payload and a flipped byte in the envelope are"
            + " denied; notation verify agrees")
    void coseTampered() throws Exception {
        PushedImage signed = ImageFactory.pushRandom(referrersRegistry, "demo/cose-tamper", "1.0");
        sign(release, signed, "cose");
        Signature genuine = envelope(signed);
        byte[] cose = genuine.bytes();

        // another digest: the genuine envelope, unchanged, as a referrer of another image
        PushedImage victim = ImageFactory.pushRandom(referrersRegistry, "demo/cose-tamper", "2.0");
        relist(referrersRegistry, "demo/cose-tamper", genuine, cose, victim);
        SourceFindings misplaced = collect(victim, policy(release, List.of()));
        assertThat(misplaced.found()).isEmpty();
        assertThat(misplaced.problems()).singleElement().asString().contains("signed for " + signed.digest());
        assertThat(notationVerifies(release, victim, "*")).isFalse();

        // tampered payload: the signed descriptor rewritten to name the victim, in place in the CBOR
        String payload = "\"digest\":\"" + signed.digest() + "\"";
        int at = indexOf(cose, payload.getBytes(StandardCharsets.UTF_8));
        assertThat(at).as("the payload sits in the envelope as a byte string").isPositive();
        byte[] rewritten = cose.clone();
        byte[] victimDigest = victim.digest().getBytes(StandardCharsets.UTF_8);
        System.arraycopy(victimDigest, 0, rewritten, at + "\"digest\":\"".length(), victimDigest.length);
        relist(referrersRegistry, "demo/cose-tamper", genuine, rewritten, victim);
        SourceFindings payloadTampered = collect(victim, policy(release, List.of()));
        assertThat(payloadTampered.found()).isEmpty();
        assertThat(payloadTampered.problems())
                .anySatisfy(p -> assertThat(p).contains("COSE signature does not verify"));
        assertThat(notationVerifies(release, victim, "*")).isFalse();

        // a flipped byte: the last byte of the envelope is the signature's last byte
        PushedImage target = ImageFactory.pushRandom(referrersRegistry, "demo/cose-tamper", "3.0");
        byte[] flipped = cose.clone();
        flipped[flipped.length - 1] ^= 0x01;
        relist(referrersRegistry, "demo/cose-tamper", genuine, flipped, target);
        SourceFindings bad = collect(target, policy(release, List.of()));
        assertThat(bad.found()).isEmpty();
        assertThat(bad.problems()).singleElement().asString().contains("COSE signature does not verify");
        assertThat(notationVerifies(release, target, "*")).isFalse();

        // a flipped byte in the CBOR structure: the array head of COSE_Sign1 (after the tag) becomes a map head
        PushedImage structure = ImageFactory.pushRandom(referrersRegistry, "demo/cose-tamper", "4.0");
        byte[] broken = cose.clone();
        assertThat(broken[1]).isEqualTo((byte) 0x84);
        broken[1] = (byte) 0xA4;
        relist(referrersRegistry, "demo/cose-tamper", genuine, broken, structure);
        SourceFindings malformed = collect(structure, policy(release, List.of()));
        assertThat(malformed.found()).isEmpty();
        assertThat(malformed.problems()).singleElement().asString().contains("COSE envelope:");
        assertThat(notationVerifies(release, structure, "*")).isFalse();
    }

    /** A notation signature manifest (its descriptor) and its envelope. */
    private record Signature(String manifestDigest, byte[] manifest, String mediaType, byte[] bytes) {}

    /** The one Notation signature of {@code image}, found as trustgate finds it (referrers API or tag). */
    private static Signature envelope(PushedImage image) throws Exception {
        ImageReference ref = ImageReference.parse(image.reference());
        Referrers referrers = fixture.client()
                .referrers(
                        ref,
                        image.digest(),
                        NotationSignatureSource.ARTIFACT_TYPE,
                        io.trustgate.registry.RegistryCredentials.ANONYMOUS)
                .get(30, TimeUnit.SECONDS);
        assertThat(referrers.entries()).hasSize(1);
        String digest = referrers.entries().get(0).digest();
        byte[] manifest = fixture.client()
                .fetchManifest(ref.withDigest(digest), 65536, io.trustgate.registry.RegistryCredentials.ANONYMOUS)
                .get(30, TimeUnit.SECONDS)
                .orElseThrow();
        JsonNode layer = JSON.readTree(manifest).path("layers").get(0);
        byte[] bytes = fixture.client()
                .fetchBlob(
                        ref, layer.path("digest").asText(), 65536, io.trustgate.registry.RegistryCredentials.ANONYMOUS)
                .get(30, TimeUnit.SECONDS);
        return new Signature(digest, manifest, layer.path("mediaType").asText(), bytes);
    }

    /**
     * Pushes {@code envelope} as a Notation signature of {@code target}: the genuine signature manifest with its layer
     * and subject replaced. The referrers API registry lists it by its subject.
     */
    private static void relist(RegistryPeer peer, String path, Signature genuine, byte[] envelope, PushedImage target)
            throws Exception {
        ObjectNode manifest = (ObjectNode) JSON.readTree(genuine.manifest());
        ObjectNode layer = (ObjectNode) manifest.path("layers").get(0);
        layer.put("digest", ImageFactory.pushBlob(peer, path, envelope));
        layer.put("size", envelope.length);
        ((ObjectNode) manifest.path("subject")).put("digest", target.digest()).put("size", target.manifest().length);
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        ImageFactory.pushManifest(
                peer,
                path,
                "sha256:" + ImageFactory.sha256Hex(bytes),
                manifest.path("mediaType").asText(),
                bytes);
    }

    /** Where {@code needle} first stands in {@code haystack}, or -1 (ISO-8859-1 maps each byte to one char). */
    private static int indexOf(byte[] haystack, byte[] needle) {
        return new String(haystack, StandardCharsets.ISO_8859_1)
                .indexOf(new String(needle, StandardCharsets.ISO_8859_1));
    }

    /**
     * A notation config dir whose default signing key is a fresh P-256 key with a self-signed code-signing certificate
     * valid until {@code notAfter} (made with Bouncy Castle: {@code notation cert generate-test} makes one-day RSA
     * certificates only), listed in {@code signingkeys.json} and added to the trust store named as the dir.
     */
    private static Path shortLivedKey(String name, Instant notAfter) throws Exception {
        Path dir = work.resolve(name);
        Path keys = Files.createDirectories(dir.resolve("notation/localkeys"));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=short-lived");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                BigInteger.valueOf(System.nanoTime()),
                Date.from(Instant.now().minusSeconds(60)),
                Date.from(notAfter),
                subject,
                pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
        X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        Path cert = keys.resolve(name + ".crt");
        Path key = keys.resolve(name + ".key");
        Files.writeString(cert, TestCa.pem(certificate));
        Files.writeString(key, TestCa.pem(pair.getPrivate()));
        Files.writeString(
                dir.resolve("notation/signingkeys.json"),
                JSON.writeValueAsString(Map.of(
                        "default",
                        name,
                        "keys",
                        List.of(Map.of("name", name, "keyPath", key.toString(), "certPath", cert.toString())))));
        cli.notation(dir, "cert", "add", "--type", "ca", "--store", name, cert.toString())
                .run();
        return dir;
    }
}
