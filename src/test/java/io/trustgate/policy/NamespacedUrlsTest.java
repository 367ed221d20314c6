package io.trustgate.policy;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which lookaside and Notary URLs a tenant's TrustPolicy may name. */
class NamespacedUrlsTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "file:///etc/kubernetes|https:// or http://",
                "ftp://sigs.example.com|https:// or http://",
                "http://127.0.0.1:8080/sigs|loopback",
                "http://127.9.9.9/|loopback",
                "https://localhost/|loopback",
                "https://api.localhost./|loopback",
                "http://[::1]:5000/|loopback",
                "http://169.254.169.254/latest/meta-data|link-local",
                "http://[fe80::1]/|link-local",
                "http://0.0.0.0:8080/|unspecified",
                "http://[::]/|unspecified",
                "http://[::ffff:169.254.169.254]/|link-local",
                "http://2130706433/|malformed numeric",
                "http://127.1/|has no host", // java.net.URI reads 127.1 as no host: refused either way
            })
    @DisplayName(
            "by default: file:, other schemes, loopback, link-local, unspecified and odd numeric hosts are refused")
    void refusedByDefault(String url, String why) {
        assertThatThrownBy(() -> NamespacedUrls.DEFAULT.check("lookaside", url))
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining(why)
                .hasMessageContaining(url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://sigstore.example.com", "http://10.0.0.5:8080/sigs", "https://[2001:db8::1]/x"})
    @DisplayName("by default: other http(s) URLs are accepted")
    void acceptedByDefault(String url) {
        assertThatCode(() -> NamespacedUrls.DEFAULT.check("notary.server", url)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "https://sigs.example.com|true",
                "https://sigs.example.com/team-a/x|true",
                "https://SIGS.example.com/team-a|true",
                "https://sigs.example.com.evil.net/|false",
                "https://sigs.example.com:8443/|false",
                "https://other.example.com/|false",
                "http://127.0.0.1:5000/sigs|true",
                "http://127.0.0.1:50001/|false",
                "file:///srv/sigs/a|true",
            })
    @DisplayName(
            "with allowed prefixes: only URLs under one of them (at a path boundary), which may be loopback or file: on purpose")
    void prefixes(String url, boolean allowed) {
        NamespacedUrls urls =
                new NamespacedUrls(List.of("https://sigs.example.com", "http://127.0.0.1:5000", "file:///srv/sigs/"));
        if (allowed) {
            assertThatCode(() -> urls.check("lookaside", url)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> urls.check("lookaside", url))
                    .isInstanceOf(InvalidPolicyException.class)
                    .hasMessageContaining("not under a URL prefix");
        }
    }
}
