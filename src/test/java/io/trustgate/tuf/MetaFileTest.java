package io.trustgate.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a parent role's meta entry commits to: length, hashes, version. */
@DisplayName("meta entries of parent roles")
class MetaFileTest {

    private static final byte[] FILE = "{\"signed\":{}}".getBytes(StandardCharsets.UTF_8);

    @Test
    @DisplayName("a file one byte longer than its meta length is rejected with both lengths")
    void length() {
        MetaFile meta = new MetaFile((long) FILE.length - 1, Map.of("sha256", Digests.digest("SHA-256", FILE)), null);
        assertThatThrownBy(() -> meta.verify("snapshot", FILE))
                .isInstanceOfSatisfying(LengthMismatchException.class, e -> {
                    assertThat(e.expectedLength()).isEqualTo(FILE.length - 1);
                    assertThat(e.actualLength()).isEqualTo(FILE.length);
                });
    }

    @Test
    @DisplayName("every known hash must match: a right sha256 does not excuse a wrong sha512")
    void everyHash() {
        MetaFile meta =
                new MetaFile(null, Map.of("sha256", Digests.digest("SHA-256", FILE), "sha512", new byte[64]), null);
        assertThatThrownBy(() -> meta.verify("targets", FILE))
                .isInstanceOfSatisfying(
                        HashMismatchException.class,
                        e -> assertThat(e.algorithm()).isEqualTo("sha512"));
    }

    @Test
    @DisplayName("a meta entry with no sha256 or sha512 cannot vouch for a file")
    void noKnownHash() {
        MetaFile meta = new MetaFile((long) FILE.length, Map.of("md5", new byte[16]), null);
        assertThatThrownBy(() -> meta.verify("targets", FILE)).isInstanceOf(MalformedMetadataException.class);
    }

    @Test
    @DisplayName("a version named in the meta must be the file's version")
    void version() {
        MetaFile meta = new MetaFile(null, Map.of(), 3L);
        meta.verifyVersion("targets", 3);
        assertThatThrownBy(() -> meta.verifyVersion("targets", 2))
                .isInstanceOfSatisfying(VersionMismatchException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(3);
                    assertThat(e.actualVersion()).isEqualTo(2);
                });
    }
}
