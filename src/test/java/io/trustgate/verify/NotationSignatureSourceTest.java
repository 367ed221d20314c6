package io.trustgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.NotationConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.MediaTypes;
import io.trustgate.registry.Referrers;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.MutableClock;
import io.trustgate.testing.NotationCli;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxRegistryClient;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Notation signatures end to end: images in a real docker-registry (no referrers API, so notation keeps the
 * referrers tag) signed by the real notation v1.3.2 ({@code scripts/build-notation.sh}) with certificates from
 * {@code notation cert generate-test}, checked by {@link NotationSignatureSource} through the real
 * {@link VertxRegistryClient}. {@code notation verify} is asked the same question wherever it can be (it has no
 * pinned clock, so the expiry cases have no oracle) and must agree.
 */
class NotationSignatureSourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RegistryPeer registry;
    private static Vertx vertx;
    private static VertxRegistryClient client;
    private static ExecutorService crypto;
    private static NotationCli cli;
    private static Path work;
    private static Path release;
    private static Path other;
    private static MutableClock clock;
    private static NotationSignatureSource source;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryPeer.builder("notation-registry").start();
        vertx = Vertx.vertx();
        TransportOptions options = TrustgateSettings.defaults().transport().withInsecureHosts(registry.host());
        work = Files.createTempDirectory(PeerProcess.peerDir("notation-keys"), "keys-");
        cli = NotationCli.create(work);
        release = signingKey("release");
        other = signingKey("other");
        // pinned after the certificates were made (their notBefore is the second they were made)
        clock = MutableClock.at(Instant.now().plusSeconds(2));
        client = new VertxRegistryClient(vertx, options, clock);
        crypto = Executors.newFixedThreadPool(2);
        source = new NotationSignatureSource(client, clock, crypto);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        crypto.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        registry.close();
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
                .images(List.of(ImagePattern.compile(registry.host() + "/**")))
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

    @Test
    @DisplayName("an expired certificate (clock past its notAfter) and an expired signature are denied")
    void expiry() throws Exception {
        PushedImage image = ImageFactory.pushRandom(registry, "demo/expiry", "1.0");
        sign(release, image, "jws", "--expiry", "1h");
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
        byte[] envelope = client.fetchBlob(
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

    @Test
    @DisplayName("a COSE signature is reported as not supported by this version (notation verify accepts it)")
    void cose() throws Exception {
        PushedImage image = ImageFactory.pushRandom(registry, "demo/cose", "1.0");
        sign(release, image, "cose");
        SourceFindings found = collect(image, policy(release, List.of()));
        assertThat(found.found()).isEmpty();
        assertThat(found.problems()).singleElement().asString().contains("COSE envelopes are not verified");
        assertThat(notationVerifies(release, image, "*")).isTrue();
    }
}
