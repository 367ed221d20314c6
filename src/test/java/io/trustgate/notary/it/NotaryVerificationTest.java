package io.trustgate.notary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.InvalidPolicyException;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.NotaryCli;
import io.trustgate.testing.NotaryPeer;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.Proc;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxRegistryClient;
import io.trustgate.transport.VertxTrustDataFetcher;
import io.trustgate.tuf.KeyPin;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.NotarySignatureSource;
import io.trustgate.verify.PolicyVerdict;
import io.trustgate.verify.SignerEvidence;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Notary v1 verification end to end: a real {@code docker-registry} serves the images, a real
 * {@code notary-server} the trust data that the {@code notary} CLI signs, and trustgate's
 * {@link ImageVerifier} with {@link VertxRegistryClient} and {@link NotarySignatureSource} over
 * {@link VertxTrustDataFetcher} decides. One registry, one Notary server and one CLI trust directory serve
 * the whole class; each test signs its own repository (GUN), so the tests are independent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Notary v1 against a real notary-server and docker-registry")
class NotaryVerificationTest {

    private static final AtomicInteger REPOS = new AtomicInteger();

    private Vertx vertx;
    private RegistryPeer registry;
    private NotaryPeer notary;
    private NotaryCli cli;
    private Path keys;
    private String caPem;
    private VertxRegistryClient registryClient;
    private NotarySignatureSource source;
    private ImageVerifier verifier;

    @BeforeAll
    void start() throws IOException {
        vertx = Vertx.vertx();
        registry = RegistryPeer.builder("notary-it-registry").start();
        notary = NotaryPeer.start("notary-it-server");
        Path dir = PeerProcess.peerDir("notary-it-cli");
        cli = notary.cli(dir.resolve("trust"));
        keys = Files.createDirectories(dir.resolve("keys"));
        caPem = Files.readString(notary.caPem());
        TransportOptions options = TrustgateSettings.defaults().transport().withInsecureHosts(registry.host());
        registryClient = new VertxRegistryClient(vertx, options, Clock.systemUTC());
        source = new NotarySignatureSource(
                VertxTrustDataFetcher.factory(vertx, options, Clock.systemUTC()),
                Clock.systemUTC(),
                TrustgateSettings.defaults().expiryWarning());
        verifier = new ImageVerifier(registryClient, List.of(source));
    }

    @AfterAll
    void stop() throws Exception {
        if (source != null) {
            source.close();
        }
        if (registryClient != null) {
            registryClient.close();
        }
        if (notary != null) {
            notary.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A fresh repository path, so that each test has its own GUN. */
    private static String repo(String name) {
        return "it/" + name + "-" + REPOS.incrementAndGet();
    }

    private String gun(String path) {
        return registry.host() + "/" + path;
    }

    /** Pushes {@code path:tag}, signs it in {@code targets} (and the given roles), publishes. */
    private ImageFactory.PushedImage pushAndSign(String path, String tag, String... roles) {
        ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, path, tag);
        cli.addhash(gun(path), tag, image.manifest().length, image.hex(), roles);
        cli.publish(gun(path));
        return image;
    }

    private NotaryCli.DelegationKey delegation(String path, String role) {
        return cli.addDelegationSigner(gun(path), role, keys.resolve(path.replace('/', '-')));
    }

    private Policy policy(String gun, int min, Signer... signers) {
        return policy(List.of(TrustDir.rootCertificatePem(cli, gun)), min, signers);
    }

    private Policy policy(List<String> rootKeys, int min, Signer... signers) {
        try {
            return Policy.builder(PolicyId.cluster("notary-it"), "notary-it-uid", "1")
                    .images(List.of(ImagePattern.compile(registry.host() + "/**")))
                    .notary(new NotaryConfig(notary.url(), caPem, rootKeys))
                    .signers(List.of(signers))
                    .minSignatures(min)
                    .build();
        } catch (InvalidPolicyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signer "owner" holding the keys of the repository's targets role. */
    private Signer targetsOwner(String gun) {
        return Signer.builder("owner")
                .keys(TrustDir.roleKeyIds(cli, gun, "targets"))
                .build();
    }

    private static Signer signer(String name, Path publicPem, String... roles) {
        try {
            return Signer.builder(name)
                    .keys(List.of(Files.readString(publicPem)))
                    .roles(List.of(roles))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private PolicyVerdict verify(String reference, Policy policy) {
        ImageReference ref;
        try {
            ref = ImageReference.parse(reference);
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException(e);
        }
        ImageVerdict verdict = verifier.verify(ref, List.of(policy), RegistryCredentials.ANONYMOUS)
                .orTimeout(30, TimeUnit.SECONDS)
                .join();
        assertThat(verdict.resolutionError()).isNull();
        return verdict.verdicts().get(0);
    }

    @Test
    @DisplayName(
            "a tag signed in targets satisfies the holder of the targets key, and in targets/releases the release team")
    void targetsAndReleases() {
        String path = repo("signed");
        String gun = gun(path);
        cli.init(gun);
        ImageFactory.PushedImage image = pushAndSign(path, "1.0");
        String targetsKey = TrustDir.roleKeyIds(cli, gun, "targets").get(0);
        Signer owner = Signer.builder("owner").keys(List.of(targetsKey)).build();

        PolicyVerdict byOwner = verify(image.reference(), policy(gun, 1, owner));
        assertThat(byOwner.satisfied()).as("%s", byOwner.findings()).isTrue();
        assertThat(byOwner.findings().found())
                .containsExactly(new SignerEvidence("owner", "notary targets", targetsKey));
        assertThat(byOwner.findings().expiresAt()).isAfter(Instant.now());

        NotaryCli.DelegationKey releases = delegation(path, "targets/releases");
        cli.addhash(gun, "1.0", image.manifest().length, image.hex(), "targets/releases");
        cli.publish(gun);
        Signer team = signer("release-team", releases.publicPem(), "targets/releases");

        PolicyVerdict byTeam = verify(image.reference(), policy(gun, 2, owner, team));
        assertThat(byTeam.satisfied()).as("%s", byTeam.findings()).isTrue();
        assertThat(byTeam.findings().found())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactlyInAnyOrder(
                        tuple("owner", "notary targets"), tuple("release-team", "notary targets/releases"));
        assertThat(byTeam.findings().problems()).isEmpty();

        PolicyVerdict byDigest = verify(image.digestReference(), policy(gun, 1, team));
        assertThat(byDigest.satisfied())
                .as("a digest reference matches every signed target")
                .isTrue();
    }

    @Test
    @DisplayName(
            "the server-held timestamp near its expiry gives no warning: notary-server re-signs it, nobody has to act")
    void expiryWarning() throws Exception {
        String path = repo("expiry");
        String gun = gun(path);
        cli.init(gun);
        ImageFactory.PushedImage image = pushAndSign(path, "1.0");
        Instant timestampExpires = Instant.parse(new ObjectMapper()
                .readTree(notary.fetch(gun, "timestamp"))
                .at("/signed/expires")
                .asText());
        Clock late = Clock.fixed(timestampExpires.minus(Duration.ofDays(2)), ZoneOffset.UTC);
        TransportOptions options = TrustgateSettings.defaults().transport().withInsecureHosts(registry.host());
        try (NotarySignatureSource lateSource = new NotarySignatureSource(
                VertxTrustDataFetcher.factory(vertx, options, late), late, Duration.ofDays(7))) {
            PolicyVerdict v = new ImageVerifier(registryClient, List.of(lateSource))
                    .verify(
                            ImageReference.parse(image.reference()),
                            List.of(policy(gun, 1, targetsOwner(gun))),
                            RegistryCredentials.ANONYMOUS)
                    .orTimeout(30, TimeUnit.SECONDS)
                    .join()
                    .verdicts()
                    .get(0);
            assertThat(v.satisfied()).isTrue();
            assertThat(v.findings().warnings())
                    .as("the timestamp expires within the 7-day window, but the server "
                            + "renews it; every role a person renews is years away")
                    .isEmpty();
            assertThat(v.findings().expiresAt())
                    .as("the verdict still lives no longer than the timestamp")
                    .isEqualTo(timestampExpires);
        }
    }

    @Test
    @DisplayName(
            "the root can be pinned by certificate, by its key id in root.json or by the canonical id of notary key list")
    void rootPinForms() {
        String path = repo("pins");
        String gun = gun(path);
        cli.init(gun);
        ImageFactory.PushedImage image = pushAndSign(path, "1.0");
        Signer owner = targetsOwner(gun);
        String certificateId = TrustDir.rootCertificateKeyId(cli, gun);
        String canonicalId = TrustDir.rootCanonicalKeyId(cli);
        assertThat(canonicalId)
                .as("the canonical id differs from the certificate's key id")
                .isNotEqualTo(certificateId);

        for (String pin : List.of(TrustDir.rootCertificatePem(cli, gun), certificateId, canonicalId)) {
            PolicyVerdict v = verify(image.reference(), policy(List.of(pin), 1, owner));
            assertThat(v.satisfied()).as("pin %s: %s", pin, v.findings()).isTrue();
        }
    }

    @Test
    @DisplayName(
            "two delegations with different keys count as two signers; one of them alone does not reach minSignatures 2")
    void twoDelegations() {
        String path = repo("two");
        String gun = gun(path);
        cli.init(gun);
        cli.publish(gun);
        NotaryCli.DelegationKey releases = delegation(path, "targets/releases");
        NotaryCli.DelegationKey qa = delegation(path, "targets/qa");
        ImageFactory.PushedImage both = ImageFactory.pushRandom(registry, path, "1.0");
        cli.addhash(gun, "1.0", both.manifest().length, both.hex(), "targets/releases", "targets/qa");
        ImageFactory.PushedImage one = ImageFactory.pushRandom(registry, path, "2.0");
        cli.addhash(gun, "2.0", one.manifest().length, one.hex(), "targets/releases");
        cli.publish(gun);
        Policy twoTeams =
                policy(gun, 2, signer("release-team", releases.publicPem()), signer("qa-team", qa.publicPem()));

        PolicyVerdict v = verify(both.reference(), twoTeams);
        assertThat(v.satisfied()).as("%s", v.findings()).isTrue();
        assertThat(v.findings().found())
                .extracting(SignerEvidence::signer, SignerEvidence::source)
                .containsExactlyInAnyOrder(
                        tuple("release-team", "notary targets/releases"), tuple("qa-team", "notary targets/qa"));

        PolicyVerdict alone = verify(one.reference(), twoTeams);
        assertThat(alone.satisfied()).isFalse();
        assertThat(alone.outcome().found()).containsExactly("release-team");
        assertThat(alone.outcome().missing()).containsExactly("qa-team");
    }

    @Test
    @DisplayName("a delegation whose key is an openssl RSA certificate (rsa-x509, signing rsapss) satisfies its signer")
    void rsaCertificateDelegation() throws Exception {
        String path = repo("rsa");
        String gun = gun(path);
        cli.init(gun);
        cli.publish(gun);
        Path dir = Files.createDirectories(keys.resolve(path.replace('/', '-')));
        Path cert = dir.resolve("rsa.crt");
        Path key = dir.resolve("rsa-key.pem");
        Proc.cmd(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString(),
                        "-days",
                        "365",
                        "-subj",
                        "/CN=rsa-team")
                .run();
        cli.delegationAdd(gun, "targets/rsa", cert, true);
        cli.publish(gun);
        cli.keyImport(key, "targets/rsa");
        ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, path, "1.0");
        cli.addhash(gun, "1.0", image.manifest().length, image.hex(), "targets/rsa");
        cli.publish(gun);
        assertThat(new String(notary.fetch(gun, "targets"), StandardCharsets.UTF_8))
                .contains("\"rsa-x509\"");
        assertThat(new String(notary.fetch(gun, "targets/rsa"), StandardCharsets.UTF_8))
                .contains("\"rsapss\"");

        PolicyVerdict v = verify(image.reference(), policy(gun, 1, signer("rsa-team", cert)));
        assertThat(v.satisfied()).as("%s", v.findings()).isTrue();
        assertThat(v.findings().found())
                .singleElement()
                .satisfies(e -> assertThat(e.source()).isEqualTo("notary targets/rsa"));
    }

    @Test
    @DisplayName("a root pinned to another key is denied, and the problem names the pinned key")
    void wrongRootPin() throws Exception {
        String path = repo("wrongpin");
        String gun = gun(path);
        cli.init(gun);
        ImageFactory.PushedImage image = pushAndSign(path, "1.0");
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        String otherKey = TestCa.pem(ec.generateKeyPair().getPublic());
        String pinned = KeyPin.parse(otherKey).toString();

        PolicyVerdict v = verify(image.reference(), policy(List.of(otherKey), 1, targetsOwner(gun)));
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().found()).isEmpty();
        assertThat(v.findings().problems())
                .singleElement()
                .asString()
                .startsWith("notary: trust data of " + gun + " from " + notary.url() + " rejected (root)")
                .contains("not signed by the pinned key(s)")
                .contains(pinned)
                .contains(TrustDir.rootCertificateKeyId(cli, gun));
    }

    @Test
    @DisplayName("an unsigned tag of a signed repository is denied: not signed in any role")
    void unsignedTag() {
        String path = repo("unsigned");
        String gun = gun(path);
        cli.init(gun);
        pushAndSign(path, "1.0");
        ImageFactory.PushedImage unsigned = ImageFactory.pushRandom(registry, path, "2.0");

        PolicyVerdict v = verify(unsigned.reference(), policy(gun, 1, targetsOwner(gun)));
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems()).containsExactly("notary: tag 2.0 is not signed in any role of " + gun);
    }

    @Test
    @DisplayName(
            "a tag pushed again after signing is denied, naming the role, the signed digest and the registry's digest")
    void movedTag() {
        String path = repo("moved");
        String gun = gun(path);
        cli.init(gun);
        ImageFactory.PushedImage signed = pushAndSign(path, "1.0");
        ImageFactory.PushedImage moved = ImageFactory.pushRandom(registry, path, "1.0");

        PolicyVerdict v = verify(moved.reference(), policy(gun, 1, targetsOwner(gun)));
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems())
                .singleElement()
                .asString()
                .startsWith("notary: targets signs " + gun + ":1.0 as " + signed.digest() + ", but the registry serves "
                        + moved.digest());
    }

    @Test
    @DisplayName("a target removed with notary remove and publish is denied on the next update")
    void removedTarget() {
        String path = repo("removed");
        String gun = gun(path);
        cli.init(gun);
        ImageFactory.PushedImage image = pushAndSign(path, "1.0");
        Policy policy = policy(gun, 1, targetsOwner(gun));
        assertThat(verify(image.reference(), policy).satisfied()).isTrue();

        cli.remove(gun, "1.0");
        cli.publish(gun);

        PolicyVerdict v = verify(image.reference(), policy);
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems()).containsExactly("notary: tag 1.0 is not signed in any role of " + gun);
    }

    @Test
    @DisplayName(
            "after notary key rotate of the targets key the release team still satisfies the policy, and the new key signs")
    void targetsKeyRotation() {
        String path = repo("rotate");
        String gun = gun(path);
        cli.init(gun);
        cli.publish(gun);
        NotaryCli.DelegationKey releases = delegation(path, "targets/releases");
        ImageFactory.PushedImage image = pushAndSign(path, "1.0", "targets", "targets/releases");
        String oldTargetsKey = TrustDir.roleKeyIds(cli, gun, "targets").get(0);
        Policy policy = policy(gun, 1, signer("release-team", releases.publicPem()));
        assertThat(verify(image.reference(), policy).satisfied()).isTrue();

        cli.keyRotate(gun, "targets", false);
        cli.list(gun); // refreshes the CLI's local copy of root.json, which key rotate leaves as it was
        String newTargetsKey = TrustDir.roleKeyIds(cli, gun, "targets").get(0);
        assertThat(newTargetsKey).isNotEqualTo(oldTargetsKey);

        PolicyVerdict v = verify(image.reference(), policy);
        assertThat(v.satisfied()).as("%s", v.findings()).isTrue();
        assertThat(v.findings().found()).extracting(SignerEvidence::source).containsExactly("notary targets/releases");

        PolicyVerdict byKey = verify(
                image.reference(),
                policy(
                        gun,
                        1,
                        Signer.builder("old-key").keys(List.of(oldTargetsKey)).build(),
                        Signer.builder("new-key").keys(List.of(newTargetsKey)).build()));
        assertThat(byKey.outcome().found()).containsExactly("new-key");
    }

    @Test
    @DisplayName("a signer restricted by roles to a role it did not sign in is denied, and the problem says so")
    void roleRestriction() {
        String path = repo("roles");
        String gun = gun(path);
        cli.init(gun);
        cli.publish(gun);
        NotaryCli.DelegationKey releases = delegation(path, "targets/releases");
        ImageFactory.PushedImage image = pushAndSign(path, "1.0", "targets/releases");

        PolicyVerdict v = verify(
                image.reference(), policy(gun, 1, signer("release-team", releases.publicPem(), "targets/production")));
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().found()).isEmpty();
        assertThat(v.findings().problems())
                .singleElement()
                .asString()
                .startsWith("notary: targets/releases signs " + image.digest())
                .contains("signer release-team holds its key but counts only in [targets/production]");
    }
}
