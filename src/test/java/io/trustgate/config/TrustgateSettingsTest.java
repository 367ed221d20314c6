package io.trustgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.admission.AdmissionHandler;
import io.trustgate.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one parser of trustgate's settings: defaults from the table, every value checked, one line per mistake. */
class TrustgateSettingsTest {

    @Test
    @DisplayName(
            "the defaults are the table's: 8 s deadline, 3 s connect, 5 s request, deny unmatched, caches as documented")
    void defaults() {
        TrustgateSettings s = TrustgateSettings.defaults();
        assertThat(s.deadline()).isEqualTo(Duration.ofSeconds(8));
        assertThat(s.expiryWarning()).isEqualTo(Duration.ofDays(7));
        assertThat(s.admission().unmatched()).isEqualTo(AdmissionHandler.Unmatched.deny);
        assertThat(s.admission().pullSecret()).isEmpty();
        assertThat(s.policies().dir()).isEmpty();
        assertThat(s.policies().namespace()).isEqualTo("trustgate");
        assertThat(s.transport().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.transport().requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.transport().maxManifestBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(s.transport().maxSignatures()).isEqualTo(16);
        assertThat(s.transport().insecureHosts()).isEmpty();
        assertThat(s.transport().trust().hosts()).isEmpty();
        assertThat(s.cache().tagTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.cache().verdictTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.cache().staleIfError()).isEqualTo(Duration.ofHours(1));
        assertThat(s.cache().maxEntries()).isEqualTo(10_000);
        assertThat(s.tls().cert()).isEqualTo("tls.crt");
    }

    @Test
    @DisplayName(
            "every row's environment variable is its property in MicroProfile's spelling, and every name is unique")
    void names() {
        assertThat(Setting.CACHE_TAG_TTL.env()).isEqualTo("TRUSTGATE_CACHE_TAG_TTL");
        assertThat(Setting.CACHE_TAG_TTL.property()).isEqualTo("trustgate.cache.tag-ttl");
        assertThat(Arrays.stream(Setting.values()).map(Setting::env).distinct()).hasSize(Setting.values().length);
        assertThat(Arrays.stream(Setting.values()).map(Setting::env))
                .allMatch(e -> e.startsWith("TRUSTGATE_"))
                .contains(
                        "TRUSTGATE_POLICIES_DIR",
                        "TRUSTGATE_TLS_CERT",
                        "TRUSTGATE_TLS_KEY",
                        "TRUSTGATE_INSECURE_REGISTRIES",
                        "TRUSTGATE_UNMATCHED",
                        "TRUSTGATE_DEADLINE",
                        "TRUSTGATE_EXPIRY_WARNING",
                        "TRUSTGATE_CA_BUNDLE",
                        "TRUSTGATE_CERTS_DIR");
    }

    @Test
    @DisplayName(
            "values from the environment are parsed: durations in any unit or ISO-8601, lists, enums; blank is unset")
    void parses() {
        TrustgateSettings s = TrustgateSettings.fromEnvironment(Map.of(
                "TRUSTGATE_DEADLINE",
                "500ms",
                "TRUSTGATE_CACHE_VERDICT_TTL",
                "PT2M",
                "TRUSTGATE_CACHE_TAG_TTL",
                "0s",
                "TRUSTGATE_UNMATCHED",
                "ALLOW",
                "TRUSTGATE_INSECURE_REGISTRIES",
                " a.example:5000, ,127.0.0.1:5001 ",
                "TRUSTGATE_PULL_SECRET",
                "  ",
                "TRUSTGATE_UPSTREAM_CONNECT_TIMEOUT",
                "2"));
        assertThat(s.deadline()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.cache().verdictTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.cache().tagTtl()).isZero();
        assertThat(s.admission().unmatched()).isEqualTo(AdmissionHandler.Unmatched.allow);
        assertThat(s.transport().insecureHosts()).containsExactlyInAnyOrder("a.example:5000", "127.0.0.1:5001");
        assertThat(s.admission().pullSecret()).isEmpty();
        assertThat(s.transport().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.value(Setting.DEADLINE)).contains(Duration.ofMillis(500));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "TRUSTGATE_DEADLINE|abc|a duration above zero",
                "TRUSTGATE_DEADLINE|0s|a duration above zero",
                "TRUSTGATE_CACHE_TAG_TTL|-5s|a duration such as 500ms, 30s, 5m, 1h or 7d (0s or more) (negative)",
                "TRUSTGATE_CACHE_VERDICT_TTL|PT-1S|(negative)",
                "TRUSTGATE_CACHE_MAX_ENTRIES|ten|a whole number, 0 or more",
                "TRUSTGATE_UPSTREAM_MAX_SIGNATURES|0|a whole number above zero",
                "TRUSTGATE_UNMATCHED|maybe|deny or allow",
                "TRUSTGATE_INSECURE_REGISTRIES|http://reg:5000|is not host:port",
                "TRUSTGATE_CA_BUNDLE|/no/such/ca.pem|a readable PEM file of CA certificates (no such readable file)",
                "TRUSTGATE_CERTS_DIR|/no/such/dir|no such directory",
            })
    @DisplayName("a bad value is one line naming the variable, the property, the value and what is expected")
    void badValue(String env, String value, String expected) {
        assertThatThrownBy(() -> TrustgateSettings.fromEnvironment(Map.of(env, value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith(env + "=\"" + value + "\" (")
                .hasMessageContaining(expected)
                .hasMessageNotContaining("\n");
    }

    @Test
    @DisplayName("every bad value is named, in one line")
    void severalBadValues() {
        assertThatThrownBy(() -> TrustgateSettings.fromEnvironment(
                        Map.of("TRUSTGATE_DEADLINE", "abc", "TRUSTGATE_CACHE_TAG_TTL", "-1s")))
                .hasMessageContaining("TRUSTGATE_DEADLINE=\"abc\"")
                .hasMessageContaining("TRUSTGATE_CACHE_TAG_TTL=\"-1s\"")
                .hasMessageNotContaining("\n");
    }

    @Test
    @DisplayName(
            "a CA bundle that does not parse, or a certs.d entry that holds none, stops loading with the file named")
    void brokenCa(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(
                dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> TrustgateSettings.fromEnvironment(Map.of("TRUSTGATE_CA_BUNDLE", garbage.toString())))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TRUSTGATE_CA_BUNDLE=\"" + garbage + "\"")
                .hasMessageContaining("not PEM certificates")
                .hasMessageNotContaining("\n");
        Path certs = Files.createDirectories(dir.resolve("certs.d/registry.example.com:5000"));
        Files.writeString(certs.resolve("ca.crt"), "nothing");
        assertThatThrownBy(() -> TrustgateSettings.fromEnvironment(
                        Map.of("TRUSTGATE_CERTS_DIR", certs.getParent().toString())))
                .hasMessageStartingWith("TRUSTGATE_CERTS_DIR=\"" + certs.getParent() + "\"")
                .hasMessageContaining(certs.resolve("ca.crt") + ": holds no PEM certificate");
    }

    @Test
    @DisplayName("a good CA bundle and certs.d load: the per-host CAs are keyed by host[:port]")
    void goodCa(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"));
        Path certs = Files.createDirectories(dir.resolve("certs.d/Registry.Example.com:5000"));
        Files.copy(ca.certPem(), certs.resolve("ca.crt"));
        Files.createDirectories(dir.resolve("certs.d/..data")); // what a Kubernetes volume adds
        TrustgateSettings s = TrustgateSettings.fromEnvironment(Map.of(
                "TRUSTGATE_CA_BUNDLE",
                ca.certPem().toString(),
                "TRUSTGATE_CERTS_DIR",
                certs.getParent().toString()));
        assertThat(s.transport().trust().hosts()).containsExactly("registry.example.com:5000");
        assertThat(s.transport().trust().description()).contains(ca.certPem().toString());
    }
}
