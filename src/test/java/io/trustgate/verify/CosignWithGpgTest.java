package io.trustgate.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignedIdentity;
import io.trustgate.pgp.SimpleSigning;
import io.trustgate.policy.CosignConfig;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.LabelSelector;
import io.trustgate.policy.Mode;
import io.trustgate.policy.NotationConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.Proc;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxLookasideStore;
import io.trustgate.transport.VertxRegistryClient;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    private static Vertx vertx;
    private static VertxRegistryClient client;
    private static VertxLookasideStore store;
    private static ExecutorService crypto;
    private static ImageVerifier verifier;
    private static Path cosign;
    private static Path work;
    private static String cosignPub;
    private static String gpgFingerprint;
    private static String gpgPub;
    private static Path notation;
    private static Path notationConfig;
    private static String notationCert;
    private static String importedCosignPub;

    @BeforeAll
    static void start() throws Exception {
        Proc.Result built = Proc.cmd("scripts/build-cosign.sh")
                .timeout(Duration.ofMinutes(30))
                .run();
        List<String> lines = built.stdout().strip().lines().toList();
        cosign = Path.of(lines.get(lines.size() - 1));
        registry = RegistryPeer.builder("cosign-gpg-registry").start();
        gpg = GpgPeer.create();
        gpgFingerprint = gpg.generateKey("Bob", "bob@example.com");
        gpgPub = gpg.exportPublic(gpgFingerprint);
        work = Files.createTempDirectory(PeerProcess.peerDir("cosign-gpg"), "work-");
        lookasideDir = Files.createDirectories(work.resolve("lookaside"));
        lookaside = LookasidePeer.serve("cosign-gpg-lookaside", lookasideDir);
        vertx = Vertx.vertx();
        TransportOptions options = TrustgateSettings.defaults().transport().withInsecureHosts(registry.host());
        client = new VertxRegistryClient(vertx, options, Clock.systemUTC());
        store = new VertxLookasideStore(vertx, options);
        crypto = Executors.newFixedThreadPool(2);
        verifier = new ImageVerifier(
                client,
                List.of(
                        new GpgSignatureSource(store, new SimpleSigning(Clock.systemUTC()), crypto),
                        new CosignSignatureSource(client, crypto),
                        new NotationSignatureSource(client, Clock.systemUTC(), crypto)));
        cosign("generate-key-pair").run();
        cosignPub = Files.readString(work.resolve("cosign.pub"));
        Proc.Result builtNotation = Proc.cmd("scripts/build-notation.sh")
                .timeout(Duration.ofMinutes(30))
                .run();
        List<String> notationLines = builtNotation.stdout().strip().lines().toList();
        notation = Path.of(notationLines.get(notationLines.size() - 1));
        notationConfig = work.resolve("notation-release");
        notation("cert", "generate-test", "--default", "release").run();
        Path localKeys = notationConfig.resolve("notation/localkeys");
        notationCert = Files.readString(localKeys.resolve("release.crt"));
        // the same RSA key pair as a cosign key: cosign import-key-pair writes import-cosign.key/.pub
        cosign("import-key-pair", "--key", localKeys.resolve("release.key").toString())
                .run();
        importedCosignPub = Files.readString(work.resolve("import-cosign.pub"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (store != null) {
            store.close();
        }
        if (crypto != null) {
            crypto.shutdownNow();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable c : new AutoCloseable[] {lookaside, gpg, registry}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    @DisplayName("a GPG signer and a cosign signer satisfy minSignatures 2 together")
    void gpgAndCosignTwoOfTwo() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "mixed/both", "1.0");
        signCosign(img);
        gpg.signImage(gpgFingerprint, img.reference(), lookasideDir);
        PolicyVerdict v = verify(img, 2, new Signer("alice", List.of(cosignPub), List.of()), gpgSigner("bob"));
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
        PolicyVerdict v = verify(img, 2, new Signer("alice", List.of(cosignPub), List.of()), gpgSigner("bob"));
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().found()).extracting(SignerEvidence::signer).containsExactly("alice");
    }

    @Test
    @DisplayName("one signer holding a GPG key and a cosign key, proven by both, counts once")
    void oneSignerTwoSourcesCountsOnce() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "mixed/once", "1.0");
        signCosign(img);
        gpg.signImage(gpgFingerprint, img.reference(), lookasideDir);
        Signer carol = new Signer("carol", List.of(gpgPub, cosignPub), List.of());
        Signer dave = new Signer("dave", List.of(), List.of());
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
        PolicyVerdict v = verify(img, 2, new Signer("alice", List.of(cosignPub), List.of()), notationSigner("nora"));
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
        Signer carol = new Signer("carol", List.of(cosignPub, notationCert), List.of());
        Signer dave = new Signer("dave", List.of(), List.of());
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
        Signer erin = new Signer("erin", List.of(importedCosignPub, notationCert), List.of());
        PolicyVerdict v = verify(img, 2, erin, gpgSigner("bob"));
        assertThat(v.findings().found())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactlyInAnyOrder(tuple("erin", "cosign"), tuple("erin", "notation"));
        assertThat(v.satisfied()).as("one key, two formats, one signer").isFalse();
    }

    private static Signer notationSigner(String name) {
        return new Signer(name, List.of(notationCert), List.of());
    }

    private static Proc notation(String... args) {
        List<String> command = new ArrayList<>();
        command.add(notation.toString());
        command.addAll(List.of(args));
        return Proc.cmd(command)
                .dir(work)
                .env("XDG_CONFIG_HOME", notationConfig.toString())
                .env("HOME", notationConfig.toString())
                .timeout(Duration.ofMinutes(2));
    }

    private static void signNotation(PushedImage img, String format) {
        notation("sign", "--insecure-registry", "--signature-format", format, img.digestReference())
                .run();
    }

    private static Signer gpgSigner(String name) {
        return new Signer(name, List.of(gpgPub), List.of());
    }

    private static PolicyVerdict verify(PushedImage img, int min, Signer... signers) throws Exception {
        Policy policy = new Policy(
                PolicyId.cluster("mixed-" + min + "-" + img.path().replace('/', '-')),
                "uid-" + img.path() + "-" + min,
                "1",
                Mode.Enforce,
                LabelSelector.EVERYTHING,
                List.of(ImagePattern.compile(registry.host() + "/**")),
                null,
                lookaside.baseUrl(),
                List.of(signers),
                min,
                List.of(),
                SignedIdentity.parse("matchRepository"),
                null,
                List.of(),
                new CosignConfig(null),
                new NotationConfig());
        ImageVerdict verdict = verifier.verify(
                        ImageReference.parse(img.digestReference()), List.of(policy), RegistryCredentials.ANONYMOUS)
                .get(60, TimeUnit.SECONDS);
        return verdict.verdicts().get(0);
    }

    private static Proc cosign(String... args) {
        List<String> command = new ArrayList<>();
        command.add(cosign.toString());
        command.addAll(List.of(args));
        return Proc.cmd(command)
                .dir(work)
                .env("COSIGN_PASSWORD", "test-password")
                .env("HOME", work.toString())
                .env("TUF_ROOT", work.resolve("tuf").toString())
                .timeout(Duration.ofMinutes(2));
    }

    private static void signCosign(PushedImage img) {
        signCosign(img, "cosign.key");
    }

    private static void signCosign(PushedImage img, String keyFile) {
        cosign(
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
