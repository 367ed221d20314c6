package io.trustgate.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Canonical JSON as Notary's docker/go canonical encoder writes it. */
@DisplayName("canonical JSON")
class CanonicalJsonTest {

    private static String canonical(String json) {
        return new String(
                CanonicalJson.encode(CanonicalJson.parse("test", json.getBytes(StandardCharsets.UTF_8))),
                StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("keys are sorted and whitespace removed, recursively")
    void sortedCompact() {
        assertThat(canonical("{ \"b\": [1, {\"z\": null, \"a\": true}],\n \"a\": \"x\" }"))
                .isEqualTo("{\"a\":\"x\",\"b\":[1,{\"a\":true,\"z\":null}]}");
    }

    @Test
    @DisplayName("only quote and backslash are escaped; <, >, & and non-ASCII stay raw UTF-8")
    void escaping() {
        assertThat(canonical("{\"s\":\"\\u003ca&b\\u003e \\\"q\\\" \\\\ é\"}"))
                .isEqualTo("{\"s\":\"<a&b> \\\"q\\\" \\\\ é\"}");
    }

    @Test
    @DisplayName("keys are ordered by their UTF-8 bytes, as Go sorts map keys")
    void utf8Order() {
        assertThat(canonical("{\"\uFF21\":1,\"\uD83D\uDE00\":2,\"B\":3}"))
                .isEqualTo("{\"B\":3,\"\uFF21\":1,\"\uD83D\uDE00\":2}");
    }

    @Test
    @DisplayName("floating point numbers are refused")
    void noFloats() {
        assertThatThrownBy(() -> canonical("{\"a\":1.5}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("duplicate keys make the metadata malformed")
    void duplicateKeys() {
        assertThatThrownBy(() -> CanonicalJson.parse("targets", "{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        MalformedMetadataException.class,
                        e -> assertThat(e.role()).isEqualTo("targets"));
    }
}
