package io.trustgate.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link KeyPin}: how a policy names a key (PEM public key, PEM certificate, hex key id) and what it matches. */
@DisplayName("KeyPin")
class KeyPinTest {

    private static TufKey tuf(TestKey k) {
        return TufKey.parse("root", k.id(), TufKey.keyObject(k.keyType(), k.publicB64()));
    }

    @Test
    @DisplayName("a hex key id (any case) matches the key with that id and no other")
    void hexId() {
        TestKey k = TestKey.ecdsa();
        KeyPin pin = KeyPin.parse(k.id().toUpperCase(java.util.Locale.ROOT));
        assertThat(pin.byKeyId()).isTrue();
        assertThat(pin.matches(tuf(k))).isTrue();
        assertThat(pin.matches(tuf(TestKey.ecdsa()))).isFalse();
        assertThat(pin).hasToString("key id " + k.id());
    }

    @Test
    @DisplayName("a PEM certificate pins the key inside it, as the x509 root key Notary lists")
    void certificate() {
        TestKey root = TestKey.rootCertificate(
                "registry.example/app",
                Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600));
        KeyPin pin = KeyPin.parse(root.certificatePem());
        assertThat(pin.byKeyId()).isFalse();
        assertThat(pin.matches(tuf(root))).isTrue();
        assertThat(pin.toString()).startsWith("certificate key sha256:").doesNotContain("BEGIN");
    }

    @Test
    @DisplayName("PEM header lines that notary key generate writes (role: ...) are ignored")
    void headerLines() {
        TestKey k = TestKey.ecdsa();
        assertThat(KeyPin.parse("role: targets/releases\n" + k.publicPem()).matches(tuf(k)))
                .isTrue();
    }

    @Test
    @DisplayName("a private key, a body that is not base64, a missing END line or nothing at all is refused")
    void refused() {
        assertThatThrownBy(() -> KeyPin.parse("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))
                .isInstanceOf(InvalidPinException.class)
                .hasMessageContaining("unsupported PEM type PRIVATE KEY");
        assertThatThrownBy(() -> KeyPin.parse("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----"))
                .isInstanceOf(InvalidPinException.class);
        assertThatThrownBy(() -> KeyPin.parse("-----BEGIN PUBLIC KEY-----\nAAAA\n"))
                .isInstanceOf(InvalidPinException.class);
        assertThatThrownBy(() -> KeyPin.parse("  ")).isInstanceOf(InvalidPinException.class);
        assertThatThrownBy(() -> KeyPin.parse(null)).isInstanceOf(InvalidPinException.class);
    }

    @Test
    @DisplayName("a hostile pin (a megabyte of base64 and whitespace, never closed) is refused in linear time")
    void linearTime() {
        // the regular expression this class used took 18 s for 80 KB of this shape
        String hostile = "-----BEGIN PUBLIC KEY-----" + "A ".repeat(256 * 1024) + " ".repeat(512 * 1024) + "x";
        assertTimeoutPreemptively(
                Duration.ofSeconds(2),
                () -> assertThatThrownBy(() -> KeyPin.parse(hostile)).isInstanceOf(InvalidPinException.class));
    }
}
