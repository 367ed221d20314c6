package io.trustgate.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignedIdentity;
import io.trustgate.pgp.SimpleSigning;
import io.trustgate.policy.CosignConfig;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.NotationConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.testing.CosignCli;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.NotationCli;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.VerifierFixture;
import io.trustgate.transport.VertxLookasideStore;
import io.trustgate.transport.VertxRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * cosign, GPG and Notation signatures under one threshold: real images signed by the real cosign binary, by
 * {@code skopeo copy --sign-by} (GPG, lookaside store) and by the real notation CLI (JWS and COSE), checked by the
 * three sources as the verifier stack wires them. Signers count by name, once, whatever source proved them.
 */
class CosignWithGpgTest {

    private static RegistryPeer registry;
    private static GpgPeer gpg;
    private static Path lookasideDir;
    private static LookasidePeer lookaside;
    private static VerifierFixture fixture;
    private static ImageVerifier verifier;
    private static CosignCli cosign;
    private static Path work;
    private static String cosignPub;
    private static String gpgFingerprint;
    private static String gpgPub;
    private static NotationCli notation;
    private static Path notationConfig;
    private static String notationCert;
    private static String importedCosignPub;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryPeer.builder("cosign-gpg-registry").start();
        fixture = VerifierFixture.start(Clock.systemUTC(), registry);
        gpg = fixture.own(GpgPeer.create());
        gpgFingerprint = gpg.generateKey("Bob", "bob@example.com");
        gpgPub = gpg.exportPublic(gpgFingerprint);
        work = Files.createTempDirectory(PeerProcess.peerDir("cosign-gpg"), "work-");
        cosign = CosignCli.create(CosignCli.Version.V2, work);
        lookasideDir = Files.createDirectories(work.resolve("lookaside"));
        lookaside = fixture.own(LookasidePeer.serve("cosign-gpg-lookaside", lookasideDir));
        VertxLookasideStore store = fixture.own(new VertxLookasideStore(fixture.vertx(), fixture.options()));
        VertxRegistryClient client = fixture.client();
        ExecutorService crypto = fixture.crypto();
        verifier = fixture.verifier(
                new GpgSignatureSource(store, new SimpleSigning(Clock.systemUTC()), crypto),
                new CosignSignatureSource(client, crypto),
                new NotationSignatureSource(client, Clock.systemUTC(), crypto));
        cosign.cosign("generate-key-pair").run();
        cosignPub = Files.readString(work.resolve("cosign.pub"));
        notation = NotationCli.create(work);
        notationConfig = notation.signingKey("release");
        Path localKeys = notationConfig.resolve("notation/localkeys");
        notationCert = NotationCli.certificate(notationConfig);
        // the same RSA key pair as a cosign key: cosign import-key-pair writes import-cosign.key/.pub
        cosign.cosign(
                        "import-key-pair",
                        "--key",
                        localKeys.resolve("release.key").toString())
                .run();
        importedCosignPub = Files.readString(work.resolve("import-cosign.pub"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @DisplayName("a GPG signer and a cosign signer satisfy minSignatures 2 together")
    void gpgAndCosignTwoOfTwo() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "mixed/both", "1.0");
        signCosign(img);
        gpg.signImage(gpgFingerprint, img.reference(), lookasideDir);
        PolicyVerdict v =
                verify(img, 2, Signer.builder("alice").keys(List.of(cosignPub)).build(), gpgSigner("bob"));
        assertThat(v.satisfied()).as(v.findings().toString()).isTrue();
        assertThat(v.findings().found())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactlyInAnyOrder(tuple("alice", "cosign"), tuple("bob", "gpg"));
    }

    @Test
    @DisplayName("a cosign signature alone does not satisfy a 2-of-2 policy whose other signer uses GPG")
    void cosignAloneDenied() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "mixed/cosign-only", "1.0");
        signCosign(img);
        PolicyVerdict v =
                verify(img, 2, Signer.builder("alice").keys(List.of(cosignPub)).build(), gpgSigner("bob"));
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().found()).extracting(SignerEvidence::signer).containsExactly("alice");
    }

    @Test
    @DisplayName("one signer holding a GPG key and a cosign key, proven by both, counts once")
    void oneSignerTwoSourcesCountsOnce() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "mixed/once", "1.0");
        signCosign(img);
        gpg.signImage(gpgFingerprint, img.reference(), lookasideDir);
        Signer carol = Signer.builder("carol").keys(List.of(gpgPub, cosignPub)).build();
        Signer dave = Signer.builder("dave").keys(List.of()).build();
        PolicyVerdict v = verify(img, 2, carol, dave);
        assertThat(v.findings().found())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactlyInAnyOrder(tuple("carol", "cosign"), tuple("carol", "gpg"));
        assertThat(v.satisfied()).as("carol is one signer, whatever proved her").isFalse();
        PolicyVerdict one = verify(img, 1, carol, dave);
        assertThat(one.satisfied()).as(one.findings().toString()).isTrue();
    }

    @Test
    @DisplayName("a Notation signer (COSE) and a cosign signer satisfy minSignatures 2 together")
    void notationAndCosignTwoOfTwo() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "mixed/notation-cosign", "1.0");
        signCosign(img, "cosign.key");
        signNotation(img, "cose");
        PolicyVerdict v =
                verify(img, 2, Signer.builder("alice").keys(List.of(cosignPub)).build(), notationSigner("nora"));
        assertThat(v.satisfied()).as(v.findings().toString()).isTrue();
        assertThat(v.findings().found())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactlyInAnyOrder(tuple("alice", "cosign"), tuple("nora", "notation"));
    }

    @Test
    @DisplayName("a Notation signature alone does not satisfy a 2-of-2 policy whose other signer uses GPG")
    void notationAloneDenied() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "mixed/notation-only", "1.0");
        signNotation(img, "jws");
        PolicyVerdict v = verify(img, 2, notationSigner("nora"), gpgSigner("bob"));
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().found())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactly(tuple("nora", "notation"));
        gpg.signImage(gpgFingerprint, img.reference(), lookasideDir);
        PolicyVerdict both = verify(img, 2, notationSigner("nora"), gpgSigner("bob"));
        assertThat(both.satisfied()).as(both.findings().toString()).isTrue();
    }

    @Test
    @DisplayName("one signer holding a Notation anchor and a cosign key, proven by both, counts once")
    void notationAndCosignOneSignerCountsOnce() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "mixed/notation-once", "1.0");
        signCosign(img, "cosign.key");
        signNotation(img, "cose");
        Signer carol =
                Signer.builder("carol").keys(List.of(cosignPub, notationCert)).build();
        Signer dave = Signer.builder("dave").keys(List.of()).build();
        PolicyVerdict v = verify(img, 2, carol, dave);
        assertThat(v.findings().found())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactlyInAnyOrder(tuple("carol", "cosign"), tuple("carol", "notation"));
        assertThat(v.satisfied()).as("carol is one signer, whatever proved her").isFalse();
        assertThat(verify(img, 1, carol, dave).satisfied()).isTrue();
    }

    @Test
    @DisplayName("one key pair used by two sources (Notation certificate and the same key imported into cosign) counts"
            + " once")
    void oneKeyTwoSourcesCountsOnce() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "mixed/one-key", "1.0");
        signCosign(img, "import-cosign.key");
        signNotation(img, "cose");
        Signer erin = Signer.builder("erin")
                .keys(List.of(importedCosignPub, notationCert))
                .build();
        PolicyVerdict v = verify(img, 2, erin, gpgSigner("bob"));
        assertThat(v.findings().found())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactlyInAnyOrder(tuple("erin", "cosign"), tuple("erin", "notation"));
        assertThat(v.satisfied()).as("one key, two formats, one signer").isFalse();
    }

    private static Signer notationSigner(String name) {
        return Signer.builder(name).keys(List.of(notationCert)).build();
    }

    private static void signNotation(PushedImage img, String format) {
        notation.sign(notationConfig, img.digestReference(), format);
    }

    private static Signer gpgSigner(String name) {
        return Signer.builder(name).keys(List.of(gpgPub)).build();
    }

    private static PolicyVerdict verify(PushedImage img, int min, Signer... signers) throws Exception {
        Policy policy = Policy.builder(
                        PolicyId.cluster("mixed-" + min + "-" + img.path().replace('/', '-')),
                        "uid-" + img.path() + "-" + min,
                        "1")
                .images(List.of(ImagePattern.compile(registry.host() + "/**")))
                .lookaside(lookaside.baseUrl())
                .signers(List.of(signers))
                .minSignatures(min)
                .signedIdentity(SignedIdentity.parse("matchRepository"))
                .cosign(new CosignConfig(null))
                .notation(new NotationConfig())
                .build();
        ImageVerdict verdict = verifier.verify(
                        ImageReference.parse(img.digestReference()), List.of(policy), RegistryCredentials.ANONYMOUS)
                .get(60, TimeUnit.SECONDS);
        return verdict.verdicts().get(0);
    }

    private static void signCosign(PushedImage img) {
        signCosign(img, "cosign.key");
    }

    private static void signCosign(PushedImage img, String keyFile) {
        cosign.cosign(
                        "sign",
                        "--key",
                        work.resolve(keyFile).toString(),
                        "--tlog-upload=false",
                        "--allow-insecure-registry",
                        "--yes",
                        img.digestReference())
                .run();
    }
}
