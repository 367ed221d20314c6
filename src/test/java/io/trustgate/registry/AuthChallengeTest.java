package io.trustgate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    @DisplayName("a Bearer challenge yields realm, service and a scope with colons and commas")
    void bearer() {
        AuthChallenge c = AuthChallenge.parse(
                        "Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
                                + "scope=\"repository:a/b:pull,push\"")
                .orElseThrow();
        assertThat(c.isBearer()).isTrue();
        assertThat(c.param("realm")).contains("https://auth.example/token");
        assertThat(c.param("service")).contains("registry.example");
        assertThat(c.param("scope")).contains("repository:a/b:pull,push");
    }

    @Test
    @DisplayName("scheme and parameter names are case-insensitive; unquoted values and escapes work")
    void caseAndEscapes() {
        AuthChallenge c = AuthChallenge.parse("BASIC Realm=test, charset=\"UTF-8\", x=\"a\\\"b\"")
                .orElseThrow();
        assertThat(c.isBasic()).isTrue();
        assertThat(c.param("REALM")).contains("test");
        assertThat(c.param("x")).contains("a\"b");
    }

    @Test
    @DisplayName("blank or broken headers give no challenge")
    void broken() {
        assertThat(AuthChallenge.parse(null)).isEmpty();
        assertThat(AuthChallenge.parse("  ")).isEmpty();
        assertThat(AuthChallenge.parse("Bearer realm=\"unterminated")).isEmpty();
    }

    @Test
    @DisplayName("a header over MAX_HEADER_CHARS gives no challenge; one just under it is parsed in one pass")
    void bounded() {
        String realm = "Bearer realm=\"https://auth.example/token\",scope=\"";
        String under = realm + "x".repeat(AuthChallenge.MAX_HEADER_CHARS - realm.length() - 1) + "\"";
        assertThat(under).hasSize(AuthChallenge.MAX_HEADER_CHARS);
        assertThat(AuthChallenge.parse(under))
                .hasValueSatisfying(c -> assertThat(c.param("realm")).hasValue("https://auth.example/token"));
        assertThat(AuthChallenge.parse(under + " ")).isEmpty();
        // what makes a backtracking regex explode (a quoted value of escaped quotes, never closed) is one scan here
        String hostile = "Bearer realm=\"" + "\\\"".repeat((AuthChallenge.MAX_HEADER_CHARS - 14) / 2);
        assertThat(hostile.length()).isLessThanOrEqualTo(AuthChallenge.MAX_HEADER_CHARS);
        assertThat(AuthChallenge.parse(hostile)).isEmpty();
    }
}
