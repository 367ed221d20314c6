package io.trustgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link RegistryCredentials}: a user and password that never show in a log line. */
@DisplayName("RegistryCredentials")
class RegistryCredentialsTest {

    @Test
    @DisplayName("the basic Authorization header is base64 of user:password (UTF-8), and toString names the user only")
    void basicAndToString() {
        RegistryCredentials c = new RegistryCredentials("ålice", "s3cret:with-colon");
        assertThat(c.basicAuthorization())
                .isEqualTo("Basic "
                        + Base64.getEncoder()
                                .encodeToString("ålice:s3cret:with-colon".getBytes(StandardCharsets.UTF_8)));
        assertThat(c.toString()).contains("ålice").doesNotContain("s3cret");
        assertThat(RegistryCredentials.ANONYMOUS.toString()).contains("anonymous");
    }

    @Test
    @DisplayName("a user without a password (or the reverse) is refused, and anonymous has no header")
    void halfGiven() {
        assertThatThrownBy(() -> new RegistryCredentials("alice", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RegistryCredentials(null, "pw")).isInstanceOf(IllegalArgumentException.class);
        assertThat(RegistryCredentials.ANONYMOUS.isAnonymous()).isTrue();
        assertThatThrownBy(RegistryCredentials.ANONYMOUS::basicAuthorization).isInstanceOf(IllegalStateException.class);
    }
}
