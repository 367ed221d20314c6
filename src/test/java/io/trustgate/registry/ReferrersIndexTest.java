package io.trustgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReferrersIndexTest {

    private static final String SIG = "application/vnd.cncf.notary.signature";

    private static byte[] index(String entries) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                        + entries + "]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String entry(String artifactType, String digest) {
        return "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"" + artifactType
                + "\",\"digest\":\"" + digest + "\",\"size\":12,\"annotations\":{\"a\":\"b\",\"n\":1}}";
    }

    @Test
    @DisplayName("entries of the wanted type are kept with their string annotations; others are skipped")
    void filter() throws Exception {
        ReferrersIndex.Page page = ReferrersIndex.parse(
                index(entry(SIG, "sha256:" + "1".repeat(64)) + "," + entry("x/y", "sha256:" + "2".repeat(64))),
                SIG,
                10);
        assertThat(page.matching()).singleElement().satisfies(r -> {
            assertThat(r.digest()).isEqualTo("sha256:" + "1".repeat(64));
            assertThat(r.size()).isEqualTo(12);
            assertThat(r.annotations()).containsExactly(java.util.Map.entry("a", "b"));
        });
        assertThat(page.dropped()).isZero();
    }

    @Test
    @DisplayName("entries beyond the room left are counted as dropped, not kept")
    void room() throws Exception {
        String e = entry(SIG, "sha256:" + "1".repeat(64));
        ReferrersIndex.Page page = ReferrersIndex.parse(index(e + "," + e + "," + e), SIG, 1);
        assertThat(page.matching()).hasSize(1);
        assertThat(page.dropped()).isEqualTo(2);
    }

    @Test
    @DisplayName("a malformed digest, another media type, a non-array list or an oversized body is refused")
    void refused() {
        assertThatThrownBy(() -> ReferrersIndex.parse(index(entry(SIG, "sha256:../../x")), SIG, 10))
                .isInstanceOf(ReferrersIndex.InvalidIndexException.class)
                .hasMessageContaining("digest");
        assertThatThrownBy(() -> ReferrersIndex.parse(
                        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
                                .getBytes(StandardCharsets.UTF_8),
                        SIG,
                        10))
                .isInstanceOf(ReferrersIndex.InvalidIndexException.class)
                .hasMessageContaining("media type");
        assertThatThrownBy(() -> ReferrersIndex.parse("{\"manifests\":{}}".getBytes(StandardCharsets.UTF_8), SIG, 10))
                .isInstanceOf(ReferrersIndex.InvalidIndexException.class);
        assertThatThrownBy(() -> ReferrersIndex.parse(new byte[Referrers.MAX_INDEX_BYTES + 1], SIG, 10))
                .isInstanceOf(ReferrersIndex.InvalidIndexException.class)
                .hasMessageContaining("limit");
    }

    @Test
    @DisplayName("the referrers tag of a digest is <alg>-<hex>")
    void tag() {
        assertThat(Referrers.tagSchemaTag("sha256:" + "ab".repeat(32))).isEqualTo("sha256-" + "ab".repeat(32));
        assertThat(Referrers.tagSchemaTag("sha512:" + "c".repeat(128))).isEqualTo("sha512-" + "c".repeat(64));
    }
}
