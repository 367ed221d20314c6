package io.trustgate.lookaside;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.image.ImageReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LookasideLayoutTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    @DisplayName("the path has no registry host and the digest's colon becomes '='")
    void layout() throws Exception {
        assertThat(LookasideLayout.signatureUrl(
                        "https://sigs.example/", ImageReference.parse("127.0.0.1:5000/demo/app:1.0"), DIGEST, 2))
                .isEqualTo("https://sigs.example/demo/app@sha256=" + "ab".repeat(32) + "/signature-2");
    }

    @Test
    @DisplayName("a Docker Hub short name uses library/<name>")
    void dockerHub() throws Exception {
        assertThat(LookasideLayout.signatureUrl("file:///var/sigs", ImageReference.parse("busybox"), DIGEST, 1))
                .isEqualTo("file:///var/sigs/library/busybox@sha256=" + "ab".repeat(32) + "/signature-1");
    }

    @Test
    @DisplayName("malformed digests and signature numbers below 1 are refused")
    void refused() throws Exception {
        ImageReference ref = ImageReference.parse("busybox");
        assertThatThrownBy(() -> LookasideLayout.signatureUrl("http://x", ref, "sha256:../../etc", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LookasideLayout.signatureUrl("http://x", ref, DIGEST, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
