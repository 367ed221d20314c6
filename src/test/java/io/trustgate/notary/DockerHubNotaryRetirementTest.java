package io.trustgate.notary;

import static io.trustgate.notary.RepoBuilder.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.testing.MutableClock;
import io.trustgate.tuf.TestKey;
import io.trustgate.verify.NotarySignatureSource;
import io.trustgate.verify.SignerEvidence;
import io.trustgate.verify.SourceFindings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Docker Hub's Notary retires on 2026-12-08 with Docker Content Trust: before, verification goes on (with a
 * warning once the date is within the expiry-warning window); from then on, a policy that relies on it gets a
 * denial naming the retirement and no request is made. Crafted trust data in memory, a pinned clock; never the
 * internet.
 */
@DisplayName("Docker Hub's Notary retirement")
class DockerHubNotaryRetirementTest {

    private static final String IMAGE = "docker.io/library/app";
    private static final String SIGNED = "sha256:" + hex('a');
    private static final String OWN_SERVER = "https://notary.example.test";
    private static final String RETIRED = "notary: Docker Hub's Notary (notary.docker.io) was retired on 2026-12-08"
            + " with Docker Content Trust; sign with cosign or Notation, or point notary.server at a Notary you run;"
            + " see docs/migrating-from-dct.md";

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-28T00:00:00Z"));
    private final RepoBuilder repo = new RepoBuilder(IMAGE, clock.instant());
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
                clock,
                warning);
    }

    private Policy policy(String notaryServer) {
        return Policy.builder(PolicyId.cluster("p"), "uid", "1")
                .notary(new NotaryConfig(notaryServer, null, List.of(repo.rootKey.publicPem())))
                .signers(List.of(Signer.builder("release-team")
                        .keys(List.of(releaseKey.publicPem()))
                        .build()))
                .build();
    }

    private static SourceFindings collect(NotarySignatureSource source, String image, Policy policy) {
        try {
            return source.collect(ImageReference.parse(image), SIGNED, policy)
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join();
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    @DisplayName("before the warning window: Docker Hub's Notary is asked as today, without a warning")
    void beforeTheWindow() {
        SourceFindings f = collect(source(Duration.ofDays(7)), "app:1.0", policy(null));
        assertThat(f.found())
                .containsExactly(new SignerEvidence("release-team", "notary targets/releases", releaseKey.id()));
        assertThat(f.problems()).isEmpty();
        assertThat(f.warnings()).isEmpty();
        assertThat(made).containsExactly(new NotaryConfig(NotarySignatureSource.DOCKER_HUB_NOTARY, null, List.of()));
        assertThat(server.requests())
                .extracting(InMemoryNotaryServer.Request::gun)
                .contains(IMAGE);
    }

    @Test
    @DisplayName("within the warning window: verification proceeds and the admission carries a warning naming the"
            + " date and what to do")
    void withinTheWindow() {
        clock.set(Instant.parse("2026-11-30T21:00:00Z"));
        SourceFindings f = collect(source(Duration.ofDays(8)), "app:1.0", policy(null));
        assertThat(f.found()).extracting(SignerEvidence::signer).containsExactly("release-team");
        assertThat(f.problems()).isEmpty();
        assertThat(f.warnings())
                .containsExactly("notary: Docker Hub's Notary (notary.docker.io) is retired on 2026-12-08 with Docker"
                        + " Content Trust (in 7 days); images whose signatures are only there will then be denied:"
                        + " sign with cosign or Notation, or point notary.server at a Notary you run; see"
                        + " docs/migrating-from-dct.md");

        assertThat(f.expiresAt())
                .as("no verdict cached from Docker Hub's Notary outlives its retirement (timestamp expires later)")
                .isEqualTo(NotarySignatureSource.DOCKER_HUB_NOTARY_RETIREMENT)
                .isBefore(repo.timestampExpires);

        clock.set(Instant.parse("2026-12-07T12:00:00Z"));
        assertThat(collect(source(Duration.ofDays(7)), "app:1.0", policy("https://notary.docker.io/"))
                        .warnings())
                .singleElement()
                .asString()
                .contains("(in 12 hours)");
        clock.set(Instant.parse("2026-11-30T21:00:00Z"));
        assertThat(collect(source(Duration.ofDays(7)), "app:1.0", policy(null)).warnings())
                .as("171 hours ahead is outside a 7-day window")
                .isEmpty();
    }

    @Test
    @DisplayName("from 2026-12-08T00:00Z: a denial naming the retirement, and no fetcher made, no request sent")
    void afterTheRetirement() {
        clock.set(NotarySignatureSource.DOCKER_HUB_NOTARY_RETIREMENT);
        NotarySignatureSource source = source(Duration.ofDays(7));
        for (Policy p : List.of(
                policy(null),
                policy("https://notary.docker.io"),
                policy("https://Notary.Docker.IO:443/"),
                policy("notary.docker.io"))) {
            SourceFindings f = collect(source, "app:1.0", p);
            assertThat(f.found()).isEmpty();
            assertThat(f.problems()).containsExactly(RETIRED);
            assertThat(f.unavailable()).as("an answer, not an outage").isFalse();
        }
        assertThat(collect(source, "registry.example.test/team/app:1.0", policy("https://notary.docker.io"))
                        .problems())
                .as("notary.docker.io named explicitly for another registry")
                .containsExactly(RETIRED);
        assertThat(made).isEmpty();
        assertThat(server.requests()).isEmpty();
    }

    @Test
    @DisplayName("a Notary server of one's own is unaffected, for docker.io images too, before and after the date")
    void ownServerUnaffected() {
        clock.set(Instant.parse("2026-12-01T00:00:00Z"));
        SourceFindings before = collect(source(Duration.ofDays(30)), "app:1.0", policy(OWN_SERVER));
        assertThat(before.found()).extracting(SignerEvidence::signer).containsExactly("release-team");
        assertThat(before.warnings()).isEmpty();
        assertThat(before.expiresAt()).as("not capped for another server").isEqualTo(repo.timestampExpires);

        clock.set(Instant.parse("2026-12-09T00:00:00Z"));
        SourceFindings after = collect(source(Duration.ofDays(7)), "app:1.0", policy(OWN_SERVER));
        assertThat(after.found()).extracting(SignerEvidence::signer).containsExactly("release-team");
        assertThat(after.problems()).isEmpty();
        assertThat(made).containsOnly(new NotaryConfig(OWN_SERVER, null, List.of()));
    }

    @Test
    @DisplayName("only notary.docker.io counts as Docker Hub's Notary; a policy relies on it when its server is unset")
    void recognition() {
        assertThat(NotarySignatureSource.isDockerHubNotary("https://notary.docker.io"))
                .isTrue();
        assertThat(NotarySignatureSource.isDockerHubNotary("https://notary.docker.io./v2"))
                .isTrue();
        assertThat(NotarySignatureSource.isDockerHubNotary("https://notary.docker.io.example.test"))
                .isFalse();
        assertThat(NotarySignatureSource.isDockerHubNotary("https://mynotary.docker.io"))
                .isFalse();
        assertThat(NotarySignatureSource.isDockerHubNotary(OWN_SERVER)).isFalse();
        assertThat(NotarySignatureSource.reliesOnDockerHubNotary(policy(null))).isTrue();
        assertThat(NotarySignatureSource.reliesOnDockerHubNotary(policy("https://notary.docker.io")))
                .isTrue();
        assertThat(NotarySignatureSource.reliesOnDockerHubNotary(policy(OWN_SERVER)))
                .isFalse();
    }

    @Test
    @DisplayName("a policy relying on Docker Hub's Notary stays Ready with a note: the date before it, the denial"
            + " after; one with its own server gets none")
    void readyNote() {
        assertThat(NotarySignatureSource.dockerHubNotaryNote(policy(null), Instant.parse("2026-11-30T21:00:00Z")))
                .isEqualTo("; warning: notary settings rely on Docker Hub's Notary (notary.docker.io) for docker.io"
                        + " images, which is retired on 2026-12-08; see docs/migrating-from-dct.md");
        assertThat(NotarySignatureSource.dockerHubNotaryNote(
                        policy("https://notary.docker.io"), NotarySignatureSource.DOCKER_HUB_NOTARY_RETIREMENT))
                .isEqualTo("; warning: " + RETIRED.substring("notary: ".length())
                        + " (the images that relied on it are denied under the policy's mode)");
        assertThat(NotarySignatureSource.dockerHubNotaryNote(
                        policy(OWN_SERVER), NotarySignatureSource.DOCKER_HUB_NOTARY_RETIREMENT))
                .isEmpty();
    }
}
