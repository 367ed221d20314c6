package io.trustgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignedIdentity;
import io.trustgate.policy.CosignConfig;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.testing.CosignCli;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.FetchedManifest;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.Proc;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.VerifierFixture;
import io.trustgate.transport.VertxRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * cosign 3.x key-based signatures end to end: images in a real docker-registry 2.8 (no referrers API, so cosign
 * writes and trustgate reads the referrers tag schema) signed by the real cosign v3 binary (built by
 * {@code scripts/build-cosign3.sh}) as Sigstore bundles, checked by {@link CosignSignatureSource} through the real
 * {@link VertxRegistryClient}. {@code cosign verify --key} is asked the same question in every case and must agree.
 */
class CosignBundleSourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private static RegistryPeer registry;
    /** go-containerregistry's registry, which serves the OCI referrers API (docker-registry 2.8 does not). */
    private static RegistryPeer apiRegistry;

    private static VerifierFixture fixture;
    private static ImageVerifier verifier;
    private static CosignCli cosign;
    private static Path alice;
    private static Path mallory;

    @BeforeAll
    static void start() throws Exception {
        cosign = CosignCli.create(
                CosignCli.Version.V3, Files.createTempDirectory(PeerProcess.peerDir("cosign3-keys"), "keys-"));
        registry = RegistryPeer.builder("cosign3-registry").start();
        apiRegistry = RegistryPeer.builder("cosign3-referrers")
                .kind(RegistryPeer.Kind.REFERRERS_API)
                .start();
        fixture = VerifierFixture.start(Clock.systemUTC(), registry, apiRegistry);
        verifier = fixture.verifier(new CosignSignatureSource(fixture.client(), fixture.crypto()));
        alice = cosign.keyPair("alice");
        mallory = cosign.keyPair("mallory");
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @DisplayName("through the OCI referrers API: a cosign 3 bundle by the signer's key is admitted, another key's"
            + " denied, an unsigned image denied; cosign verify agrees on each")
    void referrersApi() throws Exception {
        PushedImage signed = ImageFactory.pushRandom(apiRegistry, "cosign3/api-signed", "1.0");
        sign(alice, signed);
        PolicyVerdict v = verify(signed, "alice");
        assertThat(v.satisfied()).as(v.findings().toString()).isTrue();
        assertThat(oracle(alice, signed).ok()).isTrue();
        assertThat(apiRegistry.countRequests(
                        e -> e.uri().startsWith("/v2/cosign3/api-signed/referrers/" + signed.digest())))
                .as("trustgate asked the referrers API")
                .isPositive();

        PushedImage other = ImageFactory.pushRandom(apiRegistry, "cosign3/api-other", "1.0");
        sign(mallory, other);
        PolicyVerdict denied = verify(other, "alice");
        assertThat(denied.satisfied()).isFalse();
        assertThat(denied.findings().problems()).anySatisfy(p -> assertThat(p).contains("no trusted key"));
        assertThat(oracle(alice, other).ok()).isFalse();

        PushedImage unsigned = ImageFactory.pushRandom(apiRegistry, "cosign3/api-unsigned", "1.0");
        PolicyVerdict none = verify(unsigned, "alice");
        assertThat(none.satisfied()).isFalse();
        assertThat(none.findings().problems())
                .anySatisfy(p -> assertThat(p).contains("no cosign signatures for " + unsigned.digest()));
        assertThat(oracle(alice, unsigned).ok()).isFalse();
    }

    @Test
    @DisplayName("an image signed by cosign 3 (a bundle in the referrers tag) with the signer's key is admitted; cosign"
            + " verify agrees")
    void signedAdmitted() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "cosign3/signed", "1.0");
        sign(alice, img);
        assertThat(ImageFactory.tags(registry, img.path()))
                .as("cosign 3 wrote the referrers tag, not a .sig tag")
                .contains("sha256-" + img.hex())
                .doesNotContain("sha256-" + img.hex() + ".sig");
        PolicyVerdict v = verify(img, "alice");
        assertThat(v.satisfied()).as(v.findings().toString()).isTrue();
        assertThat(v.findings().found())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", "cosign"));
        assertThat(oracle(alice, img).ok()).isTrue();
    }

    @Test
    @DisplayName("an unsigned image is denied naming both places looked in; cosign verify agrees")
    void unsignedDenied() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "cosign3/unsigned", "1.0");
        PolicyVerdict v = verify(img, "alice");
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems())
                .anySatisfy(p -> assertThat(p)
                        .contains("no cosign signatures for " + img.digest())
                        .contains(".sig")
                        .contains("no Sigstore bundle refers to it"));
        assertThat(oracle(alice, img).ok()).isFalse();
    }

    @Test
    @DisplayName("a cosign 3 bundle signed with another key is denied; cosign verify agrees")
    void otherKeyDenied() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "cosign3/other-key", "1.0");
        sign(mallory, img);
        PolicyVerdict v = verify(img, "alice");
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems())
                .anySatisfy(p -> assertThat(p).contains("no trusted key").contains("bundle's signature"));
        assertThat(oracle(alice, img).ok()).isFalse();
        assertThat(verify(img, "mallory").satisfied()).isTrue();
    }

    @Test
    @DisplayName("a bundle made for digest A, listed as a referrer of digest B, is denied for B; cosign verify agrees")
    void otherDigestDenied() throws Exception {
        PushedImage a = ImageFactory.pushRandom(registry, "cosign3/moved", "a");
        PushedImage b = ImageFactory.pushRandom(registry, "cosign3/moved", "b");
        sign(alice, a);
        // The referrer of A re-pointed at B (its subject rewritten, as anyone with push rights could) and listed in
        // B's referrers tag: the signed statement still names A.
        ObjectNode referrer = referrerOf(a);
        FetchedManifest bManifest = ImageFactory.fetchManifest(registry, b.path(), b.digest(), MANIFEST);
        referrer.putObject("subject")
                .put("mediaType", MANIFEST)
                .put("digest", b.digest())
                .put("size", bManifest.body().length);
        listReferrer(b, putByDigest(b.path(), referrer));
        PolicyVerdict v = verify(b, "alice");
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems())
                .anySatisfy(p ->
                        assertThat(p).contains("names digest " + a.digest()).contains("not " + b.digest()));
        assertThat(oracle(alice, b).ok()).isFalse();
    }

    @Test
    @DisplayName("a tampered statement (predicate changed, signature kept) is denied; cosign verify agrees")
    void tamperedPayloadDenied() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "cosign3/tampered-payload", "1.0");
        sign(alice, img);
        tamperBundle(img, bundle -> {
            ObjectNode dsse = (ObjectNode) bundle.get("dsseEnvelope");
            String statement =
                    new String(Base64.getDecoder().decode(dsse.get("payload").asText()), StandardCharsets.UTF_8);
            String altered = statement.replace("\"predicate\":{}", "\"predicate\":{\"by\":\"mallory\"}");
            assertThat(altered).isNotEqualTo(statement);
            dsse.put("payload", Base64.getEncoder().encodeToString(altered.getBytes(StandardCharsets.UTF_8)));
            return bundle;
        });
        PolicyVerdict v = verify(img, "alice");
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems()).anySatisfy(p -> assertThat(p).contains("statement was altered"));
        assertThat(oracle(alice, img).ok()).isFalse();
    }

    @Test
    @DisplayName("a tampered bundle (signature bytes changed) is denied; cosign verify agrees")
    void tamperedBundleDenied() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "cosign3/tampered-bundle", "1.0");
        sign(alice, img);
        tamperBundle(img, bundle -> {
            ObjectNode sig =
                    (ObjectNode) bundle.get("dsseEnvelope").get("signatures").get(0);
            byte[] bytes = Base64.getDecoder().decode(sig.get("sig").asText());
            bytes[bytes.length - 1] ^= 0x01;
            sig.put("sig", Base64.getEncoder().encodeToString(bytes));
            return bundle;
        });
        PolicyVerdict v = verify(img, "alice");
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems()).anySatisfy(p -> assertThat(p).contains("no trusted key"));
        assertThat(oracle(alice, img).ok()).isFalse();
    }

    @Test
    @DisplayName("one signer with a cosign 2 .sig signature and a cosign 3 bundle counts once")
    void bothFormsCountOnce() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "cosign3/both", "1.0");
        sign(alice, img);
        CosignCli.create(CosignCli.Version.V2, cosign.work()).sign(alice, img.digestReference());
        assertThat(ImageFactory.tags(registry, img.path()))
                .contains("sha256-" + img.hex() + ".sig", "sha256-" + img.hex());
        Policy policy = policy("alice", SignedIdentity.parse("matchRepository"));
        PolicyVerdict v = verify(img, policy);
        assertThat(v.satisfied()).as(v.findings().toString()).isTrue();
        assertThat(v.findings().found()).extracting(SignerEvidence::signer).containsExactly("alice");
    }

    @Test
    @DisplayName("a valid keyless bundle of another kind (an in-toto attestation, not cosign's signature statement)"
            + " listed as a referrer is denied through the keyless path, naming the attestation type")
    void keylessAttestationIsNotASignature() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "cosign3/keyless-attestation", "1.0");
        Path data = Path.of("src/test/resources/cosign/conformance");
        byte[] bundle = Files.readAllBytes(data.resolve("happy-path-intoto-in-dsse-v3/bundle.sigstore.json"));
        String bundleDigest = "sha256:" + ImageFactory.sha256Hex(bundle);
        ImageFactory.pushBlob(registry, img.path(), bundle);
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        String emptyDigest = "sha256:" + ImageFactory.sha256Hex(empty);
        ImageFactory.pushBlob(registry, img.path(), empty);
        ObjectNode referrer = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MANIFEST);
        referrer.put("artifactType", "application/vnd.dev.sigstore.bundle.v0.3+json");
        referrer.putObject("config")
                .put("mediaType", "application/vnd.oci.empty.v1+json")
                .put("digest", emptyDigest)
                .put("size", empty.length);
        referrer.putArray("layers")
                .addObject()
                .put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json")
                .put("digest", bundleDigest)
                .put("size", bundle.length);
        referrer.putObject("subject")
                .put("mediaType", MANIFEST)
                .put("digest", img.digest())
                .put(
                        "size",
                        ImageFactory.fetchManifest(registry, img.path(), img.digest(), MANIFEST)
                                .body()
                                .length);
        listReferrer(img, putByDigest(img.path(), referrer));
        Signer ci = Signer.builder("ci")
                .identities(List.of(new io.trustgate.policy.KeylessIdentity(
                        "https://token.actions.githubusercontent.com", null, "https://github\\.com/.*")))
                .build();
        Policy policy = Policy.builder(PolicyId.cluster("cosign3-keyless"), "uid-keyless", "1")
                .images(List.of(ImagePattern.compile(registry.host() + "/**")))
                .signers(List.of(ci))
                .cosign(new CosignConfig(null, Files.readString(data.resolve("public-good-trusted_root.json"))))
                .build();
        PolicyVerdict v = verify(img, policy);
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems())
                .anySatisfy(
                        p -> assertThat(p).contains("is an attestation of type").contains("not a cosign signature"));
    }

    // ---------------------------------------------------------------- helpers

    private static PolicyVerdict verify(PushedImage img, String signer) throws Exception {
        return verify(img, policy(signer, SignedIdentity.DEFAULT));
    }

    private static PolicyVerdict verify(PushedImage img, Policy policy) throws Exception {
        ImageVerdict v = verifier.verify(
                        ImageReference.parse(img.digestReference()), List.of(policy), RegistryCredentials.ANONYMOUS)
                .get(60, TimeUnit.SECONDS);
        return v.verdicts().get(0);
    }

    private static Policy policy(String signer, SignedIdentity rule) throws Exception {
        String key = Files.readString(cosign.work().resolve(signer).resolve("cosign.pub"));
        return Policy.builder(PolicyId.cluster("cosign3-" + signer), "uid-" + signer, "1")
                .images(List.of(
                        ImagePattern.compile(registry.host() + "/**"),
                        ImagePattern.compile(apiRegistry.host() + "/**")))
                .signers(List.of(Signer.builder(signer).keys(List.of(key)).build()))
                .signedIdentity(rule)
                .cosign(new CosignConfig(null))
                .build();
    }

    private static void sign(Path key, PushedImage img) {
        cosign.sign(key, img.digestReference());
    }

    private static Proc.Result oracle(Path key, PushedImage img) {
        return cosign.verify(key, img.digestReference());
    }

    /** The first referrer manifest listed in the image's referrers tag. */
    private static ObjectNode referrerOf(PushedImage img) throws Exception {
        ObjectNode index = (ObjectNode)
                JSON.readTree(ImageFactory.fetchManifest(registry, img.path(), "sha256-" + img.hex(), INDEX)
                        .body());
        String digest = index.withArray("manifests").get(0).get("digest").asText();
        return (ObjectNode) JSON.readTree(ImageFactory.fetchManifest(registry, img.path(), digest, MANIFEST)
                .body());
    }

    /** Replaces the image's only bundle by an altered copy: new blob, new referrer manifest, new referrers tag. */
    private static void tamperBundle(PushedImage img, UnaryOperator<ObjectNode> change) throws Exception {
        ObjectNode referrer = referrerOf(img);
        ObjectNode layer = (ObjectNode) referrer.withArray("layers").get(0);
        ObjectNode bundle = (ObjectNode) JSON.readTree(
                ImageFactory.fetchBlob(registry, img.path(), layer.get("digest").asText()));
        byte[] altered = JSON.writeValueAsBytes(change.apply(bundle));
        String alteredDigest = "sha256:" + ImageFactory.sha256Hex(altered);
        ImageFactory.pushBlob(registry, img.path(), altered);
        layer.put("digest", alteredDigest).put("size", altered.length);
        listReferrer(img, putByDigest(img.path(), referrer));
    }

    /** Makes the image's referrers tag list exactly this referrer manifest. */
    private static void listReferrer(PushedImage img, FetchedManifest referrer) throws Exception {
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", INDEX);
        index.putArray("manifests")
                .addObject()
                .put("mediaType", MANIFEST)
                .put("digest", "sha256:" + ImageFactory.sha256Hex(referrer.body()))
                .put("size", referrer.body().length)
                .put("artifactType", "application/vnd.dev.sigstore.bundle.v0.3+json");
        ImageFactory.pushManifest(registry, img.path(), "sha256-" + img.hex(), INDEX, JSON.writeValueAsBytes(index));
    }

    private static FetchedManifest putByDigest(String path, ObjectNode manifest) throws Exception {
        byte[] body = JSON.writeValueAsBytes(manifest);
        ImageFactory.pushManifest(registry, path, "sha256:" + ImageFactory.sha256Hex(body), MANIFEST, body);
        return new FetchedManifest(body, MANIFEST);
    }
}
