package io.trustgate.cosign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.cosign.CosignCheck.Reason;
import io.trustgate.cosign.CosignCheck.Rejected;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keyless bundle verification against the published Sigstore conformance cases (src/test/resources/cosign/conformance,
 * with its README): trustgate must agree with the suite's expected verdict on every case, offline, with the case's
 * trusted root. Key-based bundles are tested with real cosign 3 images in {@code CosignSignatureSourceTest}.
 */
class BundleVerifierTest {

    static final Path DATA = Path.of("src/test/resources/cosign/conformance");
    private static final String ISSUER = "https://token.actions.githubusercontent.com";
    private static final String IDENTITY =
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon"
                    + "/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(DATA)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("a Sigstore conformance bundle gets the suite's verdict (admitted, or denied for _fail)")
    void conformance(String name) throws Exception {
        Path dir = DATA.resolve(name);
        boolean expectValid = !name.endsWith("_fail");
        Optional<Rejected> result = verify(dir, identities(dir));
        if (expectValid) {
            assertThat(result).as(name).isEmpty();
        } else {
            // Every _fail case is rejected for its own reason (checked once by eye: chain, SET, proof, digest, DSSE).
            assertThat(result).as(name).isPresent();
        }
    }

    @Test
    @DisplayName("a valid keyless bundle whose certificate names another identity is denied (exact and RE2 rules)")
    void identityMismatch() throws Exception {
        Path dir = DATA.resolve("happy-path-v0.3");
        assertThat(verify(dir, List.of(CertificateIdentity.of(ISSUER, IDENTITY, null))))
                .isEmpty();
        assertThat(verify(
                        dir,
                        List.of(CertificateIdentity.of(ISSUER, null, "https://github\\.com/sigstore-conformance/.*"))))
                .isEmpty();
        Optional<Rejected> otherSubject =
                verify(dir, List.of(CertificateIdentity.of(ISSUER, IDENTITY.replace("main", "evil"), null)));
        assertThat(otherSubject).get().extracting(Rejected::reason).isEqualTo(Reason.IDENTITY_MISMATCH);
        assertThat(otherSubject.get().detail()).contains(IDENTITY).contains("matches none");
        Optional<Rejected> otherIssuer =
                verify(dir, List.of(CertificateIdentity.of("https://accounts.google.com", IDENTITY, null)));
        assertThat(otherIssuer).get().extracting(Rejected::reason).isEqualTo(Reason.IDENTITY_MISMATCH);
        // A prefix is not a match: the pattern must cover the whole identity.
        assertThat(verify(
                        dir,
                        List.of(CertificateIdentity.of(ISSUER, null, "https://github\\.com/sigstore-conformance/"))))
                .get()
                .extracting(Rejected::reason)
                .isEqualTo(Reason.IDENTITY_MISMATCH);
    }

    @Test
    @DisplayName(
            "subjectRegExp runs in linear time: a pattern that backtracks exponentially in java.util.regex is fast")
    void regexIsLinear() throws Exception {
        CertificateIdentity rule = CertificateIdentity.of(ISSUER, null, "(a+)+b");
        String hostile = "a".repeat(4000) + "c";
        long start = System.nanoTime();
        boolean matched = rule.matches(new CertificateIdentity.Claimed(ISSUER, List.of(hostile, hostile, hostile)));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(matched).isFalse();
        assertThat(millis).as("RE2 matching of 3 x 4001 characters").isLessThan(2_000);
    }

    @Test
    @DisplayName("identity rules are checked when the policy loads: issuer needed, one of subject and subjectRegExp")
    void identityRules() {
        assertThatThrownBy(() -> CertificateIdentity.of(null, "a@example.com", null))
                .isInstanceOf(InvalidIdentityException.class)
                .hasMessageContaining("issuer");
        assertThatThrownBy(() -> CertificateIdentity.of(ISSUER, "a@example.com", ".*"))
                .hasMessageContaining("exactly one of subject and subjectRegExp");
        assertThatThrownBy(() -> CertificateIdentity.of(ISSUER, null, "(unclosed"))
                .hasMessageContaining("not an RE2 regular expression");
        // Backreferences are what makes a regex engine backtrack; RE2 refuses them.
        assertThatThrownBy(() -> CertificateIdentity.of(ISSUER, null, "(a)\\1"))
                .hasMessageContaining("not an RE2 regular expression");
    }

    @Test
    @DisplayName("a trusted root that is not a Sigstore trusted_root.json is refused when the policy loads")
    void badTrustedRoot() {
        assertThatThrownBy(() -> CosignTrustedRoot.parse("{\"mediaType\": 3}"))
                .isInstanceOf(InvalidTrustedRootException.class);
        assertThatThrownBy(() -> CosignTrustedRoot.parse("{}"))
                .isInstanceOf(InvalidTrustedRootException.class)
                .hasMessageContaining("no certificate authority");
    }

    // ---------------------------------------------------------------- helpers

    static Optional<Rejected> verify(Path dir, List<CertificateIdentity> identities) throws Exception {
        Path rootFile = Files.exists(dir.resolve("trusted_root.json"))
                ? dir.resolve("trusted_root.json")
                : DATA.resolve("public-good-trusted_root.json");
        CosignTrustedRoot root = CosignTrustedRoot.parse(Files.readString(rootFile));
        SigstoreBundle bundle;
        try {
            bundle = SigstoreBundle.parse(Files.readAllBytes(dir.resolve("bundle.sigstore.json")));
        } catch (InvalidBundleException e) {
            return Optional.of(new Rejected(Reason.MALFORMED_SIGNATURE, e.getMessage()));
        }
        Path artifact = Files.exists(dir.resolve("artifact")) ? dir.resolve("artifact") : DATA.resolve("a.txt");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(artifact));
        return BundleVerifier.verifyKeylessArtifact(bundle, root, identities, digest);
    }

    static List<CertificateIdentity> identities(Path dir) throws Exception {
        String issuer = Files.exists(dir.resolve("issuer"))
                ? Files.readString(dir.resolve("issuer"), StandardCharsets.UTF_8)
                        .strip()
                : ISSUER;
        String identity = Files.exists(dir.resolve("identity"))
                ? Files.readString(dir.resolve("identity"), StandardCharsets.UTF_8)
                        .strip()
                : IDENTITY;
        return List.of(CertificateIdentity.of(issuer, identity, null));
    }
}
