package io.trustgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.image.ImageReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImagePatternTest {

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @DisplayName("patterns match normalised repositories segment by segment")
    @CsvSource({
        "registry.example.com/prod/**, registry.example.com/prod/app:1, true",
        "registry.example.com/prod/**, registry.example.com/prod/team/app:1, true",
        "registry.example.com/prod/*, registry.example.com/prod/team/app:1, false",
        "registry.example.com/prod/*, registry.example.com/prod/app:1, true",
        "registry.example.com/**, registry.example.com.evil.io/prod/app, false",
        "registry.example.com/**, evil.io/registry.example.com/app, false",
        "*.example.com/**, registry.example.com/a, true",
        "*.example.com/**, registry.example.com.evil.io/a, false",
        "nginx, nginx:1.25, true",
        "nginx, docker.io/library/nginx, true",
        "nginx, docker.io/other/nginx, false",
        "bitnami/*, bitnami/redis, true",
        "127.0.0.1:5000/demo/**, 127.0.0.1:5000/demo/app:1.0, true",
        "127.0.0.1:5000/demo/**, 127.0.0.1:5001/demo/app:1.0, false",
        "registry.example.com/app:1.*, registry.example.com/app:1.2, true",
        "registry.example.com/app:1.*, registry.example.com/app:2.0, false",
        "registry.example.com/app:1.*, registry.example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, false",
        "nginx:1.25, nginx:1.25, true",
        "nginx:1.25, nginx:1.26, false",
        "**, quay.io/x/y, true",
    })
    void matches(String pattern, String image, boolean expected) throws Exception {
        assertThat(ImagePattern.compile(pattern).matches(ImageReference.parse(image)))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @DisplayName("malformed patterns are refused with the reason")
    @CsvSource(
            delimiter = '|',
            value = {"''|empty", "r.io/a@sha256:00|digest", "r.io//a|empty path segment", "r.io/a:|empty tag"})
    void refuses(String pattern, String reason) {
        assertThatThrownBy(() -> ImagePattern.compile(pattern)).hasMessageContaining(reason);
    }
}
