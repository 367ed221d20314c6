package io.trustgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.config.TrustgateSettings;
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
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.VerifierFixture;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * cosign signatures in a private registry (a real docker-registry behind htpasswd basic auth): the signature tag and
 * the bundle referrers are read with the pull credentials the review chose for the image's registry, as the image's
 * own manifest is; without them the signatures cannot be read and the image is denied.
 */
class PrivateRegistrySignaturesTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret-pull";

    private static RegistryPeer registry;
    private static VerifierFixture fixture;
    private static ImageVerifier verifier;
    private static Path work;

    @BeforeAll
    static void start() throws Exception {
        registry =
                RegistryPeer.builder("private-cosign").basicAuth(USER, PASSWORD).start();
        fixture = VerifierFixture.start(Clock.systemUTC(), registry);
        verifier = fixture.verifier(new CosignSignatureSource(fixture.client(), fixture.crypto()));
        work = Files.createTempDirectory(PeerProcess.peerDir("private-cosign"), "work-");
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest
    @EnumSource(CosignCli.Version.class)
    @DisplayName("a cosign-signed image in a private registry is admitted with the pull credentials, denied without")
    void pullCredentialsReadTheSignatures(CosignCli.Version version) throws Exception {
        CosignCli cosign = CosignCli.create(version, work.resolve(version.name()));
        cosign.cosign("login", registry.host(), "-u", USER, "-p", PASSWORD).run();
        Path key = cosign.keyPair("signer");
        PushedImage img = ImageFactory.pushRandom(
                registry, "private/" + version.name().toLowerCase(java.util.Locale.ROOT), "1.0");
        cosign.sign(key, img.digestReference());
        Policy policy = policy(version, key, "1");
        ImageReference ref = ImageReference.parse(img.digestReference());

        ImageVerdict withSecret = verifier.verify(ref, List.of(policy), new RegistryCredentials(USER, PASSWORD))
                .get(60, TimeUnit.SECONDS);
        assertThat(withSecret.verdicts().get(0).satisfied())
                .as(withSecret.verdicts().get(0).findings().toString())
                .isTrue();

        Policy fresh = policy(version, key, "2"); // another policy version: no verdict reuse between the two checks
        ImageVerdict anonymous = verifier.verify(ref, List.of(fresh), RegistryCredentials.ANONYMOUS)
                .get(60, TimeUnit.SECONDS);
        assertThat(anonymous.verdicts().get(0).satisfied()).isFalse();
        assertThat(anonymous.verdicts().get(0).findings().found()).isEmpty();
        assertThat(anonymous.verdicts().get(0).findings().problems())
                .anySatisfy(p -> assertThat(p).contains("requires credentials").contains("imagePullSecret"));
    }

    @Test
    @DisplayName(
            "a denial read without the pull credentials is not handed to the next check of the same digest with them")
    void anonymousDenialIsNotSharedWithCredentialedCheck() throws Exception {
        CosignCli cosign = CosignCli.create(CosignCli.Version.V2, work.resolve("shared-verdict"));
        cosign.cosign("login", registry.host(), "-u", USER, "-p", PASSWORD).run();
        Path key = cosign.keyPair("signer");
        PushedImage img = ImageFactory.pushRandom(registry, "private/shared-verdict", "1.0");
        cosign.sign(key, img.digestReference());
        Policy policy = policy(CosignCli.Version.V2, key, "shared"); // one policy version for both checks
        ImageReference ref = ImageReference.parse(img.digestReference());

        // The webhook's verdict cache (its default lifetimes: a denial lives 10 s), not the uncached verifier above.
        ImageVerifier caching = new ImageVerifier(
                fixture.client(),
                List.of(new CosignSignatureSource(fixture.client(), fixture.crypto())),
                Clock.systemUTC(),
                TrustgateSettings.defaults().cache());

        ImageVerdict anonymous = caching.verify(ref, List.of(policy), RegistryCredentials.ANONYMOUS)
                .get(60, TimeUnit.SECONDS);
        assertThat(anonymous.verdicts().get(0).satisfied()).isFalse();

        ImageVerdict withSecret = caching.verify(ref, List.of(policy), new RegistryCredentials(USER, PASSWORD))
                .get(60, TimeUnit.SECONDS);
        assertThat(withSecret.verdicts().get(0).satisfied())
                .as(
                        "the credentialed check reads the signatures itself: %s",
                        withSecret.verdicts().get(0).findings())
                .isTrue();
    }

    @Test
    @DisplayName("a spec.cosign.repository on another registry is read anonymously: that registry, behind htpasswd"
            + " with the same user and password, sees only unauthenticated requests (401), and the denial says the"
            + " credentials were withheld and why")
    void credentialsWithheldFromAnotherRegistry() throws Exception {
        try (RegistryPeer other = RegistryPeer.builder("private-cosign-other")
                .basicAuth(USER, PASSWORD)
                .start()) {
            CosignCli cosign = CosignCli.create(CosignCli.Version.V2, work.resolve("other-registry"));
            cosign.cosign("login", registry.host(), "-u", USER, "-p", PASSWORD).run();
            cosign.cosign("login", other.host(), "-u", USER, "-p", PASSWORD).run();
            Path key = cosign.keyPair("signer");
            PushedImage img = ImageFactory.pushRandom(registry, "private/elsewhere", "1.0");
            String signatures = other.host() + "/signatures/elsewhere";
            cosign.cosign(
                            "sign",
                            "--key",
                            key.resolve("cosign.key").toString(),
                            "--tlog-upload=false",
                            "--allow-insecure-registry",
                            "--yes",
                            img.digestReference())
                    .env("COSIGN_REPOSITORY", signatures)
                    .run();
            assertThat(ImageFactory.tags(other, "signatures/elsewhere"))
                    .as("cosign wrote the .sig tag to the other registry")
                    .contains(CosignCli.signatureTag(img.digest()));
            long before = other.requests().size();

            Policy policy = Policy.builder(PolicyId.cluster("elsewhere"), "uid-elsewhere", "1")
                    .images(List.of(ImagePattern.compile(registry.host() + "/**")))
                    .signers(List.of(Signer.builder("signer")
                            .keys(List.of(CosignCli.publicKey(key)))
                            .build()))
                    .cosign(new CosignConfig(signatures))
                    .build();
            TransportOptions both =
                    TrustgateSettings.defaults().transport().withInsecureHosts(registry.host(), other.host());
            ImageVerdict v;
            try (VertxRegistryClient twoRegistries =
                    new VertxRegistryClient(fixture.vertx(), both, Clock.systemUTC())) {
                v = new ImageVerifier(
                                twoRegistries, List.of(new CosignSignatureSource(twoRegistries, fixture.crypto())))
                        .verify(
                                ImageReference.parse(img.digestReference()),
                                List.of(policy),
                                new RegistryCredentials(USER, PASSWORD))
                        .get(60, TimeUnit.SECONDS);
            }

            assertThat(v.verdicts().get(0).satisfied())
                    .as(v.verdicts().get(0).findings().toString())
                    .isFalse();
            assertThat(v.verdicts().get(0).findings().problems())
                    .anySatisfy(p -> assertThat(p)
                            .contains("read anonymously")
                            .contains("spec.cosign.repository is on " + other.host())
                            .contains("pull credentials are sent to the image's registry only"));
            // the registry writes its access log asynchronously
            io.trustgate.testing.Await.until(
                    "the other registry logged trustgate's requests",
                    java.time.Duration.ofSeconds(10),
                    () -> other.requests().size() > before);
            List<RegistryPeer.AccessLogEntry> seen =
                    other.requests().subList((int) before, other.requests().size());
            assertThat(seen)
                    .as("trustgate asked the other registry")
                    .anySatisfy(e -> assertThat(e.uri()).startsWith("/v2/signatures/elsewhere/"));
            assertThat(seen)
                    .as("no request passed its authentication: the same user and password would have")
                    .noneSatisfy(e -> assertThat(e.status()).isBetween(200, 299));
            // docker-registry 2.8 has no referrers route: that one is 404 before any authentication
            assertThat(seen)
                    .filteredOn(e -> e.uri().contains("/manifests/"))
                    .as("the .sig tag and the referrers tag were refused for want of credentials")
                    .isNotEmpty()
                    .allSatisfy(e -> assertThat(e.status()).isEqualTo(401));
        }
    }

    private static Policy policy(CosignCli.Version version, Path key, String resourceVersion) throws Exception {
        return Policy.builder(PolicyId.cluster("private-" + version), "uid-private-" + version, resourceVersion)
                .images(List.of(ImagePattern.compile(registry.host() + "/**")))
                .signers(List.of(Signer.builder("signer")
                        .keys(List.of(CosignCli.publicKey(key)))
                        .build()))
                .signedIdentity(SignedIdentity.parse("matchRepository"))
                .cosign(new CosignConfig(null))
                .build();
    }
}
