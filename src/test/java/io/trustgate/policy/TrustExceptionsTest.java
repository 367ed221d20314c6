package io.trustgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.image.ImageReference;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** TrustExceptions as pure values: validity, the cap, expiry at a pinned instant, policy scoping, pattern vs digest. */
class TrustExceptionsTest {

    private static final Instant CREATED = Instant.parse("2026-11-01T10:00:00Z");
    private static final Duration CAP = Duration.ofDays(30);
    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static final String OTHER_DIGEST = "sha256:" + "cd".repeat(32);

    private static Exemption exemption(String namespace, List<String> images, List<String> policies, String expires)
            throws InvalidPolicyException {
        return Exemption.compile(namespace, "hotfix", images, policies, "CVE-2026-1 hotfix", CREATED, expires, CAP);
    }

    static Policy policy(PolicyId id, String pattern, ExemptionRule rule) throws InvalidPolicyException {
        return Policy.builder(id, id.name() + "-uid", "1")
                .images(List.of(ImagePattern.compile(pattern)))
                .lookaside("https://s.example.com")
                .signers(List.of(Signer.builder("release").keys(List.of("k")).build()))
                .build()
                .withExemptions(rule);
    }

    private static final ExemptionRule ALLOW = new ExemptionRule(true, null);

    @Test
    @DisplayName("an exception applies until its expiry and not from that instant on")
    void beforeAndAfterExpiry() throws Exception {
        Exemption e = exemption("team", List.of("r.example.com/team/**"), List.of("prod"), "2026-11-02T10:00:00Z");
        TrustExceptions set = new TrustExceptions(List.of(e));
        Policy prod = policy(PolicyId.cluster("prod"), "r.example.com/**", ALLOW);
        ImageReference image = ImageReference.parse("r.example.com/team/app:1");
        assertThat(set.applicable("team", image, prod, Instant.parse("2026-11-02T09:59:59.999Z")))
                .contains(e);
        assertThat(set.applicable("team", image, prod, Instant.parse("2026-11-02T10:00:00Z")))
                .as("at the expiry instant it no longer applies")
                .isEmpty();
        assertThat(set.applicable("team", image, prod, Instant.parse("2026-12-24T00:00:00Z")))
                .isEmpty();
        assertThat(set.nextExpiry(Instant.parse("2026-11-01T12:00:00Z")))
                .contains(Instant.parse("2026-11-02T10:00:00Z"));
        assertThat(set.nextExpiry(Instant.parse("2026-11-03T00:00:00Z"))).isEmpty();
    }

    @Test
    @DisplayName("an exception applies only in its own namespace")
    void ownNamespaceOnly() throws Exception {
        TrustExceptions set = new TrustExceptions(
                List.of(exemption("team", List.of("r.example.com/**"), List.of("prod"), "2026-11-02T10:00:00Z")));
        Policy prod = policy(PolicyId.cluster("prod"), "r.example.com/**", ALLOW);
        assertThat(set.applicable("other", ImageReference.parse("r.example.com/a:1"), prod, CREATED))
                .isEmpty();
    }

    @Test
    @DisplayName("an exception waives only the policies it names, by name or Kind/name, and never another "
            + "namespace's TrustPolicy")
    void policyScoping() throws Exception {
        ImageReference image = ImageReference.parse("r.example.com/team/app:1");
        Policy prod = policy(PolicyId.cluster("prod"), "r.example.com/**", ALLOW);
        Policy strict = policy(PolicyId.cluster("strict"), "r.example.com/**", ALLOW);
        Policy teamProd = policy(PolicyId.namespaced("team", "prod"), "r.example.com/**", ALLOW);
        Policy elsewhere = policy(PolicyId.namespaced("other", "prod"), "r.example.com/**", ALLOW);
        TrustExceptions byName = new TrustExceptions(
                List.of(exemption("team", List.of("r.example.com/**"), List.of("prod"), "2026-11-02T10:00:00Z")));
        assertThat(byName.applicable("team", image, prod, CREATED)).isPresent();
        assertThat(byName.applicable("team", image, teamProd, CREATED)).isPresent();
        assertThat(byName.applicable("team", image, strict, CREATED)).isEmpty();
        assertThat(byName.all().get(0).names(elsewhere.id())).isFalse();

        TrustExceptions byKind = new TrustExceptions(List.of(
                exemption("team", List.of("r.example.com/**"), List.of("TrustPolicy/prod"), "2026-11-02T10:00:00Z")));
        assertThat(byKind.applicable("team", image, teamProd, CREATED)).isPresent();
        assertThat(byKind.applicable("team", image, prod, CREATED))
                .as("TrustPolicy/prod does not name ClusterTrustPolicy/prod")
                .isEmpty();
    }

    @Test
    @DisplayName("a policy is waived only when it opts in, and only by exceptions no longer-lived than it allows")
    void policyOptIn() throws Exception {
        ImageReference image = ImageReference.parse("r.example.com/team/app:1");
        TrustExceptions twoDays = new TrustExceptions(
                List.of(exemption("team", List.of("r.example.com/**"), List.of("prod"), "2026-11-03T10:00:00Z")));
        assertThat(twoDays.applicable(
                        "team",
                        image,
                        policy(PolicyId.cluster("prod"), "r.example.com/**", ExemptionRule.NONE),
                        CREATED))
                .as("spec.exceptions absent: not waived")
                .isEmpty();
        Policy oneDayMax =
                policy(PolicyId.cluster("prod"), "r.example.com/**", new ExemptionRule(true, Duration.ofDays(1)));
        assertThat(twoDays.applicable("team", image, oneDayMax, CREATED)).isEmpty();
        assertThat(oneDayMax.exemptions().refusal(twoDays.all().get(0)))
                .isEqualTo("it allows exceptions of at most 1d (spec.exceptions.maxDuration), and this one lives 2d");
        Policy threeDayMax =
                policy(PolicyId.cluster("prod"), "r.example.com/**", new ExemptionRule(true, Duration.ofDays(3)));
        assertThat(twoDays.applicable("team", image, threeDayMax, CREATED)).isPresent();
    }

    @Test
    @DisplayName("a pattern matches tags and digests of the repositories it covers; a digest entry matches only that "
            + "digest (a tag is never resolved for an exception)")
    void patternVersusDigest() throws Exception {
        Exemption byDigest =
                exemption("team", List.of("r.example.com/team/app@" + DIGEST), List.of("prod"), "2026-11-02T10:00:00Z");
        assertThat(byDigest.matches(ImageReference.parse("r.example.com/team/app@" + DIGEST)))
                .isTrue();
        assertThat(byDigest.matches(ImageReference.parse("r.example.com/team/app:1@" + DIGEST)))
                .isTrue();
        assertThat(byDigest.matches(ImageReference.parse("r.example.com/team/app@" + OTHER_DIGEST)))
                .isFalse();
        assertThat(byDigest.matches(ImageReference.parse("r.example.com/team/app:1")))
                .as("a tag may point anywhere")
                .isFalse();
        assertThat(byDigest.matches(ImageReference.parse("r.example.com/team/other@" + DIGEST)))
                .isFalse();

        Exemption byPattern =
                exemption("team", List.of("r.example.com/team/app:1.*"), List.of("prod"), "2026-11-02T10:00:00Z");
        assertThat(byPattern.matches(ImageReference.parse("r.example.com/team/app:1.2")))
                .isTrue();
        assertThat(byPattern.matches(ImageReference.parse("r.example.com/team/app:2.0")))
                .isFalse();
        assertThat(byPattern.matches(ImageReference.parse("r.example.com/team/app@" + DIGEST)))
                .as("a pattern with a tag never matches a digest-only reference")
                .isFalse();
        assertThat(byPattern.matches(ImageReference.parse("r.example.com.evil.io/team/app:1.2")))
                .isFalse();
    }

    @Test
    @DisplayName("an exception that expires at or before its creation, beyond the cap, or with a bad pattern, digest, "
            + "policy name, reason or time is invalid and says why")
    void invalidExceptions() {
        assertThatThrownBy(
                        () -> exemption("team", List.of("r.example.com/**"), List.of("prod"), "2026-11-01T09:00:00Z"))
                .hasMessageContaining("is not after the exception's creation");
        assertThatThrownBy(
                        () -> exemption("team", List.of("r.example.com/**"), List.of("prod"), "2026-12-01T10:00:01Z"))
                .hasMessageContaining("more than the 30d trustgate allows (TRUSTGATE_EXCEPTIONS_MAX_DURATION)");
        assertThatThrownBy(
                        () -> exemption("team", List.of("r.example.com//x"), List.of("prod"), "2026-11-02T10:00:00Z"))
                .hasMessageContaining("images: image pattern \"r.example.com//x\" has an empty path segment");
        assertThatThrownBy(() -> exemption(
                        "team", List.of("r.example.com/a:1@" + DIGEST), List.of("prod"), "2026-11-02T10:00:00Z"))
                .hasMessageContaining("has both a tag and a digest");
        assertThatThrownBy(() -> exemption(
                        "team", List.of("r.example.com/a@sha256:12"), List.of("prod"), "2026-11-02T10:00:00Z"))
                .hasMessageContaining("images:");
        assertThatThrownBy(() -> exemption("team", List.of("r.example.com/**"), List.of(), "2026-11-02T10:00:00Z"))
                .hasMessageContaining("policies must name at least one");
        assertThatThrownBy(() ->
                        exemption("team", List.of("r.example.com/**"), List.of("Secret/x"), "2026-11-02T10:00:00Z"))
                .hasMessageContaining("is not a policy name");
        assertThatThrownBy(() -> exemption("team", List.of("r.example.com/**"), List.of("prod"), "tomorrow"))
                .hasMessageContaining("is not an RFC 3339 time");
        assertThatThrownBy(() -> Exemption.compile(
                        "team",
                        "x",
                        List.of("r.example.com/**"),
                        List.of("prod"),
                        " ",
                        CREATED,
                        "2026-11-02T10:00:00Z",
                        CAP))
                .hasMessageContaining("reason must say why");
        assertThat(Exemption.human(Duration.ofDays(30))).isEqualTo("30d");
        assertThat(Exemption.human(Duration.ofSeconds(90))).isEqualTo("90s");
    }

    @Test
    @DisplayName("65 images, 33 policies or a 513-character reason make an exception invalid; the bound itself is fine")
    void boundsJustOver() throws Exception {
        List<String> images64 = java.util.stream.IntStream.range(0, 64)
                .mapToObj(i -> "r.example.com/a" + i)
                .toList();
        List<String> policies32 =
                java.util.stream.IntStream.range(0, 32).mapToObj(i -> "p" + i).toList();
        String reason512 = "x".repeat(512);
        String expires = "2026-11-02T10:00:00Z";
        assertThat(Exemption.compile("team", "x", images64, policies32, reason512, CREATED, expires, CAP))
                .isNotNull();
        List<String> images65 = new java.util.ArrayList<>(images64);
        images65.add("r.example.com/b");
        assertThatThrownBy(() -> Exemption.compile("team", "x", images65, policies32, reason512, CREATED, expires, CAP))
                .hasMessageContaining("more than 64");
        List<String> policies33 = new java.util.ArrayList<>(policies32);
        policies33.add("q");
        assertThatThrownBy(() -> Exemption.compile("team", "x", images64, policies33, reason512, CREATED, expires, CAP))
                .hasMessageContaining("more than 32");
        assertThatThrownBy(() ->
                        Exemption.compile("team", "x", images64, policies32, reason512 + "x", CREATED, expires, CAP))
                .hasMessageContaining("longer than 512");
    }

    @Test
    @DisplayName("an exact cap is allowed, and an offset time is read as the instant it names")
    void capBoundaryAndOffsets() throws Exception {
        assertThat(exemption("team", List.of("r.example.com/**"), List.of("prod"), "2026-12-01T10:00:00Z")
                        .lifetime())
                .isEqualTo(CAP);
        assertThat(exemption("team", List.of("r.example.com/**"), List.of("prod"), "2026-11-01T12:00:00+01:00")
                        .expires())
                .isEqualTo(Instant.parse("2026-11-01T11:00:00Z"));
    }
}
