package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SignatureCheck.Reason;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SignedIdentityTest {

    private static final String DIGEST = "sha256:" + "20".repeat(32);

    @Test
    @DisplayName("policy names parse to rules; unknown names and missing parameters are refused with a reason")
    void parse() throws Exception {
        assertThat(SignedIdentity.parse(null)).isEqualTo(SignedIdentity.DEFAULT);
        assertThat(SignedIdentity.parse("matchExact")).isInstanceOf(SignedIdentity.MatchExact.class);
        assertThatThrownBy(() -> SignedIdentity.parse("matchAnything"))
                .isInstanceOf(InvalidSignedIdentityException.class)
                .hasMessageContaining("unknown signedIdentity");
        assertThatThrownBy(() -> SignedIdentity.parse("exactReference"))
                .isInstanceOf(InvalidSignedIdentityException.class)
                .hasMessageContaining("needs its parameters");
        assertThatThrownBy(() -> SignedIdentity.exactReference("docker.io/library/busybox"))
                .isInstanceOf(InvalidSignedIdentityException.class)
                .hasMessageContaining("neither a tag nor a digest");
    }

    @Test
    @DisplayName("an untagged signed identity is not read as :latest")
    void untaggedIsNotLatest() throws Exception {
        ImageReference image = ImageReference.parse("busybox:latest");

        assertThat(SignedIdentity.DEFAULT.check(image, "busybox"))
                .get()
                .extracting(SignatureCheck.Rejected::reason)
                .isEqualTo(Reason.IDENTITY_MISMATCH);
        assertThat(SignedIdentity.DEFAULT.check(image, "docker.io/library/busybox:latest"))
                .isEmpty();
    }

    @Test
    @DisplayName("a digest image accepts any tagged or digested identity of its repository under the default rule")
    void digestImage() throws Exception {
        ImageReference image = ImageReference.parse("busybox@" + DIGEST);

        assertThat(SignedIdentity.DEFAULT.check(image, "busybox:1.36")).isEmpty();
        assertThat(SignedIdentity.DEFAULT.check(image, "busybox@sha256:" + "aa".repeat(32)))
                .isEmpty();
        assertThat(SignedIdentity.DEFAULT.check(image, "library/other:1")).isPresent();
    }

    @Test
    @DisplayName("an unparseable signed identity is rejected as invalid, not as a mismatch")
    void invalidIdentity() throws Exception {
        assertThat(SignedIdentity.DEFAULT.check(ImageReference.parse("busybox"), "Not A Reference"))
                .get()
                .extracting(SignatureCheck.Rejected::reason)
                .isEqualTo(Reason.INVALID_IDENTITY);
    }

    @Test
    @DisplayName("remapIdentity rewrites a mirror prefix to the signed prefix, at a path boundary only")
    void remapIdentity() throws Exception {
        SignedIdentity rule = SignedIdentity.remapIdentity("mirror.example.test/vendor", "docker.io/vendor");

        assertThat(rule.check(ImageReference.parse("mirror.example.test/vendor/app:1"), "docker.io/vendor/app:1"))
                .isEmpty();
        assertThat(rule.check(
                        ImageReference.parse("mirror.example.test/vendor/app:1"), "mirror.example.test/vendor/app:1"))
                .get()
                .extracting(SignatureCheck.Rejected::detail)
                .isEqualTo(
                        "signed identity mirror.example.test/vendor/app:1 does not match "
                                + "mirror.example.test/vendor/app:1 under remapIdentity mirror.example.test/vendor -> docker.io/vendor");
        assertThat(rule.check(
                        ImageReference.parse("mirror.example.test/vendor-other/app:1"), "docker.io/vendor-other/app:1"))
                .isPresent();
        assertThat(rule.check(
                        ImageReference.parse("mirror.example.test/vendor/app@" + DIGEST), "docker.io/vendor/app:any"))
                .isEmpty();
        assertThatThrownBy(() -> SignedIdentity.remapIdentity("library", "docker.io/library/busybox:1"))
                .isInstanceOf(InvalidSignedIdentityException.class)
                .hasMessageContaining("signedPrefix");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} signed {1} under {2}: {3}")
    @org.junit.jupiter.params.provider.CsvSource({
        // the digest decides; the identity names the repository, and the tag when it names one
        "busybox:1.36@D, busybox:1.36, matchRepoDigestOrExact, true",
        "busybox:1.36@D, docker.io/library/busybox:1.36, matchRepoDigestOrExact, true",
        "busybox:1.36@D, busybox@D, matchRepoDigestOrExact, true",
        "busybox:1.36@D, busybox:1.36@D, matchRepoDigestOrExact, true",
        "busybox:1.36@D, busybox:1.37, matchRepoDigestOrExact, false",
        "busybox:1.36@D, busybox, matchRepoDigestOrExact, false",
        "busybox:1.36@D, busybox@OTHER, matchRepoDigestOrExact, false",
        "busybox:1.36@D, busybox:1.36@OTHER, matchRepoDigestOrExact, false",
        "busybox:1.36@D, other:1.36, matchRepoDigestOrExact, false",
        "busybox:1.36@D, busybox:1.36, matchExact, true",
        "busybox:1.36@D, busybox:1.36@D, matchExact, true",
        "busybox:1.36@D, busybox@D, matchExact, false",
        "busybox:1.36@D, busybox:1.37, matchExact, false",
        "busybox:1.36@D, busybox:1.37, matchRepository, true",
        // host names compare as the runtime resolves them
        "REGISTRY.example.com/app:v1@D, registry.example.com/app:v1, matchRepoDigestOrExact, true",
        "registry.example.com:443/app:v1@D, registry.example.com/app:v1, matchRepoDigestOrExact, true",
        "registry.example.com/app:v1, Registry.Example.com:443/app:v1, matchExact, true",
        "registry.example.com:5000/app:v1, registry.example.com/app:v1, matchRepoDigestOrExact, false",
    })
    @DisplayName("a pinned name:tag@digest accepts an identity for its repository and tag (the digest decides)")
    void pinnedReference(String image, String signed, String rule, boolean accepted) throws Exception {
        String other = "sha256:" + "aa".repeat(32);
        ImageReference ref = ImageReference.parse(image.replace("@D", "@" + DIGEST));
        String identity = signed.replace("@D", "@" + DIGEST).replace("@OTHER", "@" + other);
        assertThat(SignedIdentity.parse(rule).check(ref, identity).isEmpty())
                .as("%s signed %s", ref, identity)
                .isEqualTo(accepted);
    }
}
