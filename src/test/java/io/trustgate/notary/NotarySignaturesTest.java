package io.trustgate.notary;

import static io.trustgate.notary.RepoBuilder.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.tuf.InvalidPinException;
import io.trustgate.tuf.Limits;
import io.trustgate.tuf.RootPins;
import io.trustgate.tuf.TestKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which policy signers the trust data shows as having signed an image. */
@DisplayName("Notary signers from trust data")
class NotarySignaturesTest {

    private static final String GUN = "registry.example.test/team/app";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final String SIGNED = "sha256:" + hex('a');
    private static final String MOVED = "sha256:" + hex('c');

    private final RepoBuilder repo = new RepoBuilder(GUN, NOW);
    private final TestKey releaseKey = TestKey.ecdsa();
    private final TestKey qaKey = TestKey.ed25519();
    private TrustedRepository trusted;

    @BeforeEach
    void publish() {
        repo.targets.put("1.0", hex('a'));
        repo.delegate("targets/releases", releaseKey).targets.put("1.0", hex('a'));
        repo.delegate("targets/qa", qaKey).targets.put("1.0", hex('c'));
        InMemoryNotaryServer server = new InMemoryNotaryServer();
        repo.publish(server);
        trusted = new NotaryClient(server, Clock.fixed(NOW, ZoneOffset.UTC), Limits.DEFAULT)
                .update(GUN, RootPins.of(repo.rootKey.publicPem()))
                .join();
    }

    @Test
    @DisplayName("a signer whose key signed a role that lists the tag with the resolved digest has signed")
    void signerSigned() {
        NotarySigner release = new NotarySigner("release-team", List.of(releaseKey.publicPem()), List.of());
        NotaryEvidence evidence = NotarySignatures.evaluate(trusted, "1.0", SIGNED, List.of(release));
        assertThat(evidence.signatures())
                .containsExactly(new NotaryEvidence.SignerMatch(
                        "release-team", "targets/releases", "1.0", SIGNED, releaseKey.id()));
        assertThat(evidence.mismatches())
                .containsExactly(new NotaryEvidence.DigestMismatch("targets/qa", "1.0", MOVED, SIGNED));
    }

    @Test
    @DisplayName("the repository targets key counts for a signer holding it, named by key id")
    void targetsKeyCounts() {
        NotarySigner owner =
                new NotarySigner("owner", List.of(repo.targetsKeys.get(0).id()), List.of());
        assertThat(NotarySignatures.evaluate(trusted, "1.0", SIGNED, List.of(owner))
                        .signatures())
                .extracting(NotaryEvidence.SignerMatch::role)
                .containsExactly("targets");
    }

    @Test
    @DisplayName("a signer restricted to roles is not counted through another role")
    void roleRestriction() {
        NotarySigner release =
                new NotarySigner("release-team", List.of(releaseKey.publicPem()), List.of("targets/other"));
        assertThat(NotarySignatures.evaluate(trusted, "1.0", SIGNED, List.of(release))
                        .signers())
                .isEmpty();
    }

    @Test
    @DisplayName("a tag signed with another digest than the registry resolved does not count and is reported")
    void movedTag() {
        NotarySigner qa = new NotarySigner("qa", List.of(qaKey.publicPem()), List.of());
        NotaryEvidence evidence = NotarySignatures.evaluate(trusted, "1.0", SIGNED, List.of(qa));
        assertThat(evidence.isSignedBy("qa")).isFalse();
        assertThat(evidence.mismatches())
                .extracting(NotaryEvidence.DigestMismatch::role)
                .containsExactly("targets/qa");
    }

    @Test
    @DisplayName("a digest reference is matched against every valid role's targets")
    void digestReference() {
        NotarySigner qa = new NotarySigner("qa", List.of(qaKey.publicPem()), List.of());
        NotarySigner release = new NotarySigner("release-team", List.of(releaseKey.publicPem()), List.of());
        NotaryEvidence evidence = NotarySignatures.evaluate(trusted, null, MOVED, List.of(qa, release));
        assertThat(evidence.signers()).containsExactly("qa");
        assertThat(evidence.mismatches()).isEmpty();
    }

    @Test
    @DisplayName("a signer key that is neither PEM nor a key id is reported as invalid")
    void invalidSignerKey() {
        NotarySigner broken = new NotarySigner("broken", List.of("not a key"), List.of());
        assertThatThrownBy(() -> NotarySignatures.evaluate(trusted, "1.0", SIGNED, List.of(broken)))
                .isInstanceOf(InvalidPinException.class)
                .hasMessageContaining("not a key");
    }
}
