package io.trustgate.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @DisplayName("references normalise as a container runtime would")
    @CsvSource({
        "nginx, docker.io/library/nginx:latest",
        "nginx:1.25, docker.io/library/nginx:1.25",
        "library/nginx, docker.io/library/nginx:latest",
        "bitnami/redis:7, docker.io/bitnami/redis:7",
        "index.docker.io/library/alpine:3, docker.io/library/alpine:3",
        "registry.example.com/team/app:v1.2, registry.example.com/team/app:v1.2",
        "127.0.0.1:5000/demo/app, 127.0.0.1:5000/demo/app:latest",
        "localhost/app:dev, localhost/app:dev",
        "localhost:5000/a/b/c:1, localhost:5000/a/b/c:1",
        "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, docker.io/library/nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "r.io/a:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, r.io/a:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "my_org/my-app__x:t_1, docker.io/my_org/my-app__x:t_1",
    })
    void normalises(String input, String expected) throws Exception {
        assertThat(ImageReference.parse(input).toString()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @DisplayName("invalid references are rejected with the reason")
    @CsvSource(delimiter = '|', value = {
        "''| empty reference",
        "Nginx| lower-case",
        "nginx:| invalid tag",
        "nginx:-bad| invalid tag",
        "nginx@sha256:abc| malformed digest",
        "nginx@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef| 64 lower-case hex",
        "nginx@md5:0123456789abcdef0123456789abcdef| unsupported digest algorithm",
        "registry.example.com//app| empty path component",
        "registry.example.com/app/| empty path component",
        "bad_host!.com/app| invalid registry host",
        "registry.example.com/a!b| invalid path component",
        "' nginx'| white space",
    })
    void rejects(String input, String reason) {
        assertThatThrownBy(() -> ImageReference.parse(input))
                .isInstanceOf(InvalidImageReferenceException.class)
                .hasMessageContaining(reason);
    }

    @org.junit.jupiter.api.Test
    @DisplayName("a digest reference keeps no default tag and knows its repository")
    void digestOnly() throws Exception {
        ImageReference r = ImageReference.parse(
                "127.0.0.1:5000/demo/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assertThat(r.tag()).isNull();
        assertThat(r.hasDigest()).isTrue();
        assertThat(r.repository()).isEqualTo("127.0.0.1:5000/demo/app");
        assertThat(r.domain()).isEqualTo("127.0.0.1:5000");
        assertThat(r.path()).isEqualTo("demo/app");
    }
}
