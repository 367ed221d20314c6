package io.trustgate.notary;

import static io.trustgate.notary.RepoBuilder.DAY;
import static io.trustgate.notary.RepoBuilder.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import io.trustgate.policy.InvalidPolicyException;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.tuf.TestKey;
import io.trustgate.verify.NotarySignatureSource;
import io.trustgate.verify.SignerEvidence;
import io.trustgate.verify.SourceFindings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link NotarySignatureSource} over crafted trust data in memory, with a pinned clock: what it reports for
 * each outcome, which server it asks, and that it never fails. (The real servers: {@code it/NotaryVerificationTest}.)
 */
@DisplayName("Notary as a signature source")
class NotarySignatureSourceTest {

    private static final String GUN = "registry.example.test/team/app";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String SIGNED = "sha256:" + hex('a');
    private static final String SERVER = "https://notary.example.test";

    private final RepoBuilder repo = new RepoBuilder(GUN, NOW);
    private final TestKey releaseKey = TestKey.ecdsa();
    private final InMemoryNotaryServer server = new InMemoryNotaryServer();
    private final List<NotaryConfig> made = new ArrayList<>();

    @BeforeEach
    void publish() {
        repo.targets.put("1.0", hex('a'));
        repo.delegate("targets/releases", releaseKey).targets.put("1.0", hex('a'));
        repo.publish(server);
    }

    private NotarySignatureSource source(Duration warning) {
        return new NotarySignatureSource(
                config -> {
                    made.add(config);
                    return server;
                },
                CLOCK,
                warning);
    }

    private Policy policy(String notaryServer, String caBundle, List<String> rootKeys, Signer... signers) {
        return Policy.builder(PolicyId.cluster("p"), "uid", "1")
                .notary(new NotaryConfig(notaryServer, caBundle, rootKeys))
                .signers(List.of(signers))
                .build();
    }

    private Policy policy(Signer... signers) {
        return policy(SERVER, null, List.of(repo.rootKey.publicPem()), signers);
    }

    private Signer releaseTeam() {
        return Signer.builder("release-team")
                .keys(List.of(releaseKey.publicPem()))
                .build();
    }

    private static ImageReference ref(String s) {
        try {
            return ImageReference.parse(s);
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static SourceFindings collect(NotarySignatureSource source, String image, String digest, Policy policy) {
        return source.collect(ref(image), digest, policy)
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
    }

    @Test
    @DisplayName(
            "a signer found through a delegation is reported with the role and its key id; expiresAt is the earliest expiry")
    void found() {
        SourceFindings f = collect(source(Duration.ofDays(7)), GUN + ":1.0", SIGNED, policy(releaseTeam()));
        assertThat(f.found())
                .containsExactly(new SignerEvidence("release-team", "notary targets/releases", releaseKey.id()));
        assertThat(f.problems()).isEmpty();
        assertThat(f.warnings()).isEmpty();
        assertThat(f.expiresAt()).isEqualTo(repo.timestampExpires);
    }

    @Test
    @DisplayName("keys parsed once per policy are keyed by the keys themselves: a policy whose keys change under the"
            + " same uid and resourceVersion is checked with its new keys, and a key that no longer parses is named")
    void parsedKeysFollowTheKeys() {
        NotarySignatureSource source = source(Duration.ZERO);
        assertThat(collect(source, GUN + ":1.0", SIGNED, policy(releaseTeam())).found())
                .extracting(SignerEvidence::signer)
                .containsExactly("release-team");

        Signer otherKey = Signer.builder("release-team")
                .keys(List.of(TestKey.ecdsa().publicPem()))
                .build();
        SourceFindings other = collect(source, GUN + ":1.0", SIGNED, policy(otherKey));
        assertThat(other.found()).isEmpty();
        assertThat(other.problems()).anyMatch(p -> p.contains("which no signer of the policy holds"));

        Signer broken =
                Signer.builder("release-team").keys(List.of("not a key")).build();
        SourceFindings brokenKey = collect(source, GUN + ":1.0", SIGNED, policy(broken, releaseTeam()));
        assertThat(brokenKey.found()).extracting(SignerEvidence::signer).containsExactly("release-team");
        assertThat(brokenKey.problems()).anyMatch(p -> p.startsWith("notary: signer release-team: "));

        SourceFindings badRoot =
                collect(source, GUN + ":1.0", SIGNED, policy(SERVER, null, List.of("not a root key"), releaseTeam()));
        assertThat(badRoot.problems()).singleElement().asString().startsWith("notary: notary.rootKeys of the policy: ");
    }

    @Test
    @DisplayName("trust data expiring within the warning window adds one warning naming GUN, role and date")
    void expiryWarning() {
        repo.targetsExpires = NOW.plus(DAY.multipliedBy(3));
        repo.publish(server);
        SourceFindings f = collect(source(Duration.ofDays(7)), GUN + ":1.0", SIGNED, policy(releaseTeam()));
        assertThat(f.found()).extracting(SignerEvidence::signer).containsExactly("release-team");
        assertThat(f.warnings())
                .containsExactly("notary: trust data of " + GUN + " expires soon: targets expires "
                        + "2026-06-04T12:00:00Z (publish again to re-sign it: notary publish " + GUN + ")");
        assertThat(f.expiresAt()).isEqualTo(NOW.plus(DAY.multipliedBy(3)));

        SourceFindings narrow = collect(source(Duration.ofDays(1)), GUN + ":1.0", SIGNED, policy(releaseTeam()));
        assertThat(narrow.warnings()).isEmpty();
    }

    @Test
    @DisplayName(
            "a policy without notary.server for a registry other than docker.io gets a problem, and no fetch is made")
    void noServer() {
        NotarySignatureSource source = source(Duration.ZERO);
        SourceFindings f = collect(
                source, GUN + ":1.0", SIGNED, policy(null, null, List.of(repo.rootKey.publicPem()), releaseTeam()));
        assertThat(f.problems())
                .containsExactly(
                        "notary: the policy names no Notary server for registry.example.test (set notary.server)");
        assertThat(made).isEmpty();
    }

    @Test
    @DisplayName(
            "docker.io images use Docker Hub's Notary when the policy names no server; one fetcher per server and CA bundle")
    void serverChoiceAndFetcherReuse() {
        NotarySignatureSource source = source(Duration.ZERO);
        Policy hub = policy(null, null, List.of(repo.rootKey.publicPem()), releaseTeam());
        collect(source, "nginx:1.0", SIGNED, hub);
        collect(source, "docker.io/library/nginx:1.0", SIGNED, hub);
        collect(source, GUN + ":1.0", SIGNED, policy(releaseTeam()));
        collect(
                source,
                GUN + ":1.0",
                SIGNED,
                policy(SERVER + "/", null, List.of(repo.rootKey.publicPem()), releaseTeam()));
        collect(
                source,
                GUN + ":1.0",
                SIGNED,
                policy(SERVER, "-----BEGIN CERTIFICATE-----...", List.of(repo.rootKey.publicPem()), releaseTeam()));
        assertThat(made)
                .containsExactly(
                        new NotaryConfig(NotarySignatureSource.DOCKER_HUB_NOTARY, null, List.of()),
                        new NotaryConfig(SERVER, null, List.of()),
                        new NotaryConfig(SERVER, "-----BEGIN CERTIFICATE-----...", List.of()));
        assertThat(server.requests())
                .extracting(InMemoryNotaryServer.Request::gun)
                .contains("docker.io/library/nginx");
    }

    @Test
    @DisplayName("a repository never signed is reported as such")
    void neverSigned() {
        SourceFindings f =
                collect(source(Duration.ZERO), "registry.example.test/team/other:1.0", SIGNED, policy(releaseTeam()));
        assertThat(f.found()).isEmpty();
        assertThat(f.problems())
                .containsExactly(
                        "notary: " + SERVER + " has no trust data for "
                                + "registry.example.test/team/other (the repository was never signed with Notary / Docker Content Trust)");
    }

    @Test
    @DisplayName("a server that rolls the timestamp back between two reviews is rejected with the rollback evidence")
    void rollbackAcrossReviews() {
        NotarySignatureSource source = source(Duration.ZERO);
        repo.timestampVersion = 5;
        repo.publish(server);
        assertThat(collect(source, GUN + ":1.0", SIGNED, policy(releaseTeam())).found())
                .isNotEmpty();

        repo.timestampVersion = 4;
        repo.publish(server);
        SourceFindings f = collect(source, GUN + ":1.0", SIGNED, policy(releaseTeam()));
        assertThat(f.found()).isEmpty();
        assertThat(f.problems())
                .singleElement()
                .asString()
                .startsWith("notary: trust data of " + GUN + " from " + SERVER + " rejected (timestamp): ")
                .contains("4")
                .contains("5");
    }

    @Test
    @DisplayName("a failing or throwing fetcher becomes a problem; collect never completes exceptionally")
    void transportFailure() {
        NotarySignatureSource failing = new NotarySignatureSource(
                config -> (gun, role, max) ->
                        CompletableFuture.failedFuture(new IllegalStateException("cannot reach the Notary server")),
                CLOCK,
                Duration.ZERO);
        assertThat(collect(failing, GUN + ":1.0", SIGNED, policy(releaseTeam())).problems())
                .containsExactly("notary: trust data of " + GUN + " unavailable: cannot reach the Notary server");

        NotarySignatureSource throwing = new NotarySignatureSource(
                config -> {
                    throw new IllegalArgumentException("bad CA bundle");
                },
                CLOCK,
                Duration.ZERO);
        assertThat(collect(throwing, GUN + ":1.0", SIGNED, policy(releaseTeam()))
                        .problems())
                .containsExactly("notary: cannot check " + GUN + ": bad CA bundle");
    }

    @Test
    @DisplayName("a digest reference is matched against every signed target")
    void digestReference() {
        SourceFindings f = collect(source(Duration.ZERO), GUN + "@" + SIGNED, SIGNED, policy(releaseTeam()));
        assertThat(f.found()).extracting(SignerEvidence::source).containsExactly("notary targets/releases");
        SourceFindings none = collect(
                source(Duration.ZERO), GUN + "@sha256:" + hex('d'), "sha256:" + hex('d'), policy(releaseTeam()));
        assertThat(none.problems())
                .containsExactly("notary: digest sha256:" + hex('d') + " is not signed in any role of " + GUN);
    }

    @Test
    @DisplayName("a signer key or root pin that does not parse is a problem naming it, not a failure")
    void badKeys() {
        SourceFindings badSigner = collect(
                source(Duration.ZERO),
                GUN + ":1.0",
                SIGNED,
                policy(Signer.builder("broken").keys(List.of("not a key")).build(), releaseTeam()));
        assertThat(badSigner.found()).extracting(SignerEvidence::signer).containsExactly("release-team");
        assertThat(badSigner.problems())
                .singleElement()
                .asString()
                .startsWith("notary: signer broken: invalid key \"not a key\"");

        SourceFindings badPin =
                collect(source(Duration.ZERO), GUN + ":1.0", SIGNED, policy(SERVER, null, List.of(), releaseTeam()));
        assertThat(badPin.problems())
                .containsExactly("notary: notary.rootKeys of the policy: invalid key \"\": no root key pinned");
    }

    @Test
    @DisplayName("applies only to policies with notary settings and a signer with a non-OpenPGP key")
    void appliesTo() {
        NotarySignatureSource source = source(Duration.ZERO);
        assertThat(source.appliesTo(policy(releaseTeam()))).isTrue();
        Signer gpgOnly = Signer.builder("gpg")
                .keys(List.of("-----BEGIN PGP PUBLIC KEY BLOCK-----\n..."))
                .build();
        assertThat(source.appliesTo(policy(gpgOnly))).isFalse();
        Policy noNotary = Policy.builder(PolicyId.cluster("p"), "uid", "1")
                .lookaside("https://sigs.example.test")
                .signers(List.of(releaseTeam()))
                .build();
        assertThat(source.appliesTo(noNotary)).isFalse();
    }

    @Test
    @DisplayName(
            "checkKey accepts PEM keys (also with notary's role: header), certificates and key ids, and rejects the rest")
    void checkKey() {
        String withHeader = releaseKey
                .publicPem()
                .replace("-----BEGIN PUBLIC KEY-----\n", "-----BEGIN PUBLIC KEY-----\nrole: targets/releases\n\n");
        assertThatCode(() -> NotarySignatureSource.checkKey(withHeader)).doesNotThrowAnyException();
        assertThatCode(() -> NotarySignatureSource.checkKey(repo.rootKey.certificatePem()))
                .doesNotThrowAnyException();
        assertThatCode(() -> NotarySignatureSource.checkKey(releaseKey.id())).doesNotThrowAnyException();
        assertThatThrownBy(() -> NotarySignatureSource.checkKey("ab12"))
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessage(
                        "notary: invalid key \"ab12\": expected a PEM public key, a PEM certificate or a 64-digit hex key id");
    }

    // ---------------------------------------------------------------- issue 9: one bad delegation, warnings, failures

    @Test
    @DisplayName(
            "one expired delegation removes only the signers that depend on it: a signer proven by another role still counts")
    void oneExpiredDelegation() {
        TestKey qaKey = TestKey.ecdsa();
        RepoBuilder.Delegation qa = repo.delegate("targets/qa", qaKey);
        qa.targets.put("1.0", hex('a'));
        qa.expires = NOW.minus(DAY);
        repo.publish(server);
        Signer qaTeam =
                Signer.builder("qa-team").keys(List.of(qaKey.publicPem())).build();
        SourceFindings f = collect(source(Duration.ZERO), GUN + ":1.0", SIGNED, policy(releaseTeam(), qaTeam));
        assertThat(f.found()).extracting(SignerEvidence::signer).containsExactly("release-team");
        assertThat(f.unavailable()).isFalse();
        assertThat(f.problems())
                .singleElement()
                .asString()
                .startsWith("notary: targets/qa of " + GUN + " was left out (")
                .contains("expired")
                .contains("signatures made only there do not count");
    }

    @Test
    @DisplayName(
            "one delegation signed by a key its parent does not assign is left out; the other delegation still counts")
    void oneBadlySignedDelegation() {
        TestKey qaKey = TestKey.ecdsa();
        RepoBuilder.Delegation qa = repo.delegate("targets/qa", qaKey);
        qa.targets.put("1.0", hex('a'));
        qa.signers = List.of(TestKey.ecdsa()); // not the key targets delegates targets/qa to
        repo.publish(server);
        Signer qaTeam =
                Signer.builder("qa-team").keys(List.of(qaKey.publicPem())).build();
        SourceFindings f = collect(source(Duration.ZERO), GUN + ":1.0", SIGNED, policy(releaseTeam(), qaTeam));
        assertThat(f.found()).extracting(SignerEvidence::signer).containsExactly("release-team");
        assertThat(f.problems())
                .singleElement()
                .asString()
                .startsWith("notary: targets/qa of " + GUN + " was left out (");

        SourceFindings qaOnly = collect(source(Duration.ZERO), GUN + ":1.0", SIGNED, policy(qaTeam));
        assertThat(qaOnly.found())
                .as("the signer who depends on the bad role alone has nothing")
                .isEmpty();
    }

    @Test
    @DisplayName("expiry warnings name only roles a person renews: never the server-signed timestamp; snapshot and "
            + "delegations do warn")
    void expiryWarningsActionable() {
        repo.timestampExpires = NOW.plus(DAY);
        repo.publish(server);
        SourceFindings timestampOnly = collect(source(Duration.ofDays(7)), GUN + ":1.0", SIGNED, policy(releaseTeam()));
        assertThat(timestampOnly.warnings()).isEmpty();
        assertThat(timestampOnly.expiresAt())
                .as("the verdict still ends with the timestamp")
                .isEqualTo(NOW.plus(DAY));

        repo.snapshotExpires = NOW.plus(DAY.multipliedBy(2));
        repo.delegations.get(0).expires = NOW.plus(DAY.multipliedBy(3));
        repo.publish(server);
        SourceFindings f = collect(source(Duration.ofDays(7)), GUN + ":1.0", SIGNED, policy(releaseTeam()));
        assertThat(f.warnings())
                .hasSize(2)
                .anySatisfy(w -> assertThat(w).contains("snapshot expires"))
                .anySatisfy(w -> assertThat(w).contains("targets/releases expires 2026-06-04T12:00:00Z"))
                .noneMatch(w -> w.contains("timestamp"));
    }

    @Test
    @DisplayName("a Notary server that cannot be reached is 'unavailable' (stale-if-error, failure TTL); one that "
            + "answers unusably is a problem")
    void fetchFailureClassification() {
        NotarySignatureSource down = new NotarySignatureSource(
                config -> (gun, role, max) -> CompletableFuture.failedFuture(
                        new TrustDataFetchException("connection refused", true, null) {}),
                CLOCK,
                Duration.ZERO);
        SourceFindings unavailable = collect(down, GUN + ":1.0", SIGNED, policy(releaseTeam()));
        assertThat(unavailable.unavailable()).isTrue();
        assertThat(unavailable.problems()).singleElement().asString().contains("connection refused");

        NotarySignatureSource refusing = new NotarySignatureSource(
                config -> (gun, role, max) ->
                        CompletableFuture.failedFuture(new TrustDataFetchException("HTTP 403", false, null) {}),
                CLOCK,
                Duration.ZERO);
        assertThat(collect(refusing, GUN + ":1.0", SIGNED, policy(releaseTeam()))
                        .unavailable())
                .isFalse();

        repo.targets.put("1.0", hex('b'));
        repo.publish(server);
        SourceFindings rejected = collect(source(Duration.ZERO), GUN + ":2.0", SIGNED, policy(releaseTeam()));
        assertThat(rejected.unavailable())
                .as("a tag not signed is a verification answer")
                .isFalse();
    }
}
