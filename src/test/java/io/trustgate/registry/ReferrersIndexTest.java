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
        ReferrersIndex.Listing listing = new ReferrersIndex.Listing();
        ReferrersIndex.read(
                index(entry(SIG, "sha256:" + "1".repeat(64)) + "," + entry("x/y", "sha256:" + "2".repeat(64))),
                SIG,
                listing);
        Referrers r = listing.result(Referrers.Discovery.API, false);
        assertThat(r.entries()).singleElement().satisfies(e -> {
            assertThat(e.digest()).isEqualTo("sha256:" + "1".repeat(64));
            assertThat(e.size()).isEqualTo(12);
            assertThat(e.annotations()).containsExactly(java.util.Map.entry("a", "b"));
        });
        assertThat(r.truncated()).isFalse();
        assertThat(r.cappedTypes()).isEmpty();
    }

    @Test
    @DisplayName("entries of one type beyond its cap are left out and the listing says so; other types keep their room")
    void perTypeCap() throws Exception {
        StringBuilder entries = new StringBuilder();
        for (int i = 0; i <= Referrers.MAX_REFERRERS; i++) {
            entries.append(entry("x/y", "sha256:" + "2".repeat(64))).append(',');
        }
        entries.append(entry(SIG, "sha256:" + "1".repeat(64)));
        ReferrersIndex.Listing listing = new ReferrersIndex.Listing();
        ReferrersIndex.read(index(entries.toString()), null, listing);
        Referrers r = listing.result(Referrers.Discovery.TAG_SCHEMA, false);
        assertThat(r.entries()).hasSize(Referrers.MAX_REFERRERS + 1);
        assertThat(r.entries()).anySatisfy(e -> assertThat(e.artifactType()).isEqualTo(SIG));
        assertThat(r.cappedTypes()).containsExactly("x/y");
    }

    @Test
    @DisplayName("a malformed digest, another media type, a non-array list or an oversized body is refused")
    void refused() {
        assertThatThrownBy(() ->
                        ReferrersIndex.read(index(entry(SIG, "sha256:../../x")), SIG, new ReferrersIndex.Listing()))
                .isInstanceOf(ReferrersIndex.InvalidIndexException.class)
                .hasMessageContaining("digest");
        assertThatThrownBy(() -> ReferrersIndex.read(
                        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
                                .getBytes(StandardCharsets.UTF_8),
                        SIG,
                        new ReferrersIndex.Listing()))
                .isInstanceOf(ReferrersIndex.InvalidIndexException.class)
                .hasMessageContaining("media type");
        assertThatThrownBy(() -> ReferrersIndex.read(
                        "{\"manifests\":{}}".getBytes(StandardCharsets.UTF_8), SIG, new ReferrersIndex.Listing()))
                .isInstanceOf(ReferrersIndex.InvalidIndexException.class);
        assertThatThrownBy(() ->
                        ReferrersIndex.read(new byte[Referrers.MAX_INDEX_BYTES + 1], SIG, new ReferrersIndex.Listing()))
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
