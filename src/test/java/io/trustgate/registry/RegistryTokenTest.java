package io.trustgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RegistryTokenTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static RegistryToken parse(String json) {
        return RegistryToken.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8), T0);
    }

    @Test
    @DisplayName("token wins over access_token, and expires_in sets the expiry")
    void tokenAndExpiry() {
        RegistryToken t = parse("{'token':'A','access_token':'B','expires_in':300}");
        assertThat(t.value()).isEqualTo("A");
        assertThat(t.expiresAt()).isEqualTo(T0.plusSeconds(300));
        assertThat(t.validAt(T0.plusSeconds(299))).isTrue();
        assertThat(t.validAt(T0.plusSeconds(300))).isFalse();
    }

    @Test
    @DisplayName("access_token alone is accepted and a missing expires_in means 60 s")
    void accessTokenDefaultExpiry() {
        RegistryToken t = parse("{'access_token':'B'}");
        assertThat(t.value()).isEqualTo("B");
        assertThat(t.expiresAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    @DisplayName("an expires_in under 60 s is raised to 60 s, as the token spec says")
    void minimumLifetime() {
        assertThat(parse("{'token':'A','expires_in':5}").expiresAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    @DisplayName("an expires_in over MAX_LIFETIME (an hour) is cut to it: a revoked secret is noticed within the hour")
    void maximumLifetime() {
        assertThat(parse("{'token':'A','expires_in':31536000}").expiresAt())
                .isEqualTo(T0.plus(RegistryToken.MAX_LIFETIME));
        assertThat(parse("{'token':'A','expires_in':3600}").expiresAt()).isEqualTo(T0.plusSeconds(3600));
    }

    @Test
    @DisplayName("an answer without a token is refused, and toString never shows the token")
    void noToken() {
        assertThatThrownBy(() -> parse("{'expires_in':5}")).hasMessageContaining("neither");
        assertThatThrownBy(() -> parse("not json")).hasMessageContaining("not JSON");
        assertThat(parse("{'token':'secret-token'}").toString()).doesNotContain("secret-token");
    }
}
