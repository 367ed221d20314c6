package io.trustgate.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
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
    @CsvSource(
            delimiter = '|',
            value = {
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

    @ParameterizedTest(name = "{0} -> {1} (contacted at {2})")
    @DisplayName(
            "registry hosts compare as the runtime resolves them: case-insensitive, :443 dropped, Docker Hub aliases are docker.io; the port stays where the registry is contacted")
    @CsvSource({
        // distribution/reference: a first component with a dot, a colon or an upper-case letter is a host, and
        // index.docker.io is docker.io (library/ added); containerd reaches docker.io at registry-1.docker.io.
        "REGISTRY.example.com/app:v1, registry.example.com/app:v1, registry.example.com",
        "registry.example.com:443/app:v1, registry.example.com/app:v1, registry.example.com:443",
        "Registry.Example.COM:443/team/app, registry.example.com/team/app:latest, registry.example.com:443",
        "registry.example.com:5000/app, registry.example.com:5000/app:latest, registry.example.com:5000",
        "index.docker.io/nginx, docker.io/library/nginx:latest, docker.io",
        "registry-1.docker.io/library/nginx:1, docker.io/library/nginx:1, docker.io",
        "Docker.IO/nginx, docker.io/library/nginx:latest, docker.io",
        "docker.io:443/bitnami/redis:7, docker.io/bitnami/redis:7, docker.io",
        "LOCALHOST:5000/app, localhost:5000/app:latest, localhost:5000",
    })
    void hostsAsTheRuntimeSeesThem(String input, String canonical, String host) throws Exception {
        ImageReference r = ImageReference.parse(input);
        assertThat(r.toString()).isEqualTo(canonical);
        assertThat(r.host()).isEqualTo(host);
        assertThat(ImageReference.canonicalDomain(r.host())).as("idempotent").isEqualTo(r.domain());
    }

    @org.junit.jupiter.api.Test
    @DisplayName("two spellings of one registry share a repository, but not a contact host when the port differs")
    void spellingsShareTheRepository() throws Exception {
        ImageReference plain = ImageReference.parse("registry.example.com/app:v1");
        ImageReference upper = ImageReference.parse("REGISTRY.EXAMPLE.COM/app:v1");
        ImageReference port = ImageReference.parse("registry.example.com:443/app:v1");
        assertThat(upper).isEqualTo(plain);
        assertThat(port.repository()).isEqualTo(plain.repository());
        assertThat(port).isNotEqualTo(plain);
        assertThat(port.withDigest("sha256:" + "0".repeat(64)).host()).isEqualTo("registry.example.com:443");
    }

    @org.junit.jupiter.api.Test
    @DisplayName(
            "a single-label host spelt with capitals stays a host: its printed form parses to the same reference (found by fuzzing)")
    void singleLabelHostRoundTrips() throws Exception {
        ImageReference mirror = ImageReference.parse("S/a");
        assertThat(mirror.domain()).isEqualTo("S");
        assertThat(mirror.toString()).isEqualTo("S/a:latest");
        assertThat(ImageReference.parse(mirror.toString())).isEqualTo(mirror);
        assertThat(ImageReference.parse("s/a").domain())
                .as("lower-case: a Docker Hub namespace")
                .isEqualTo("docker.io");
    }

    @Test
    @DisplayName("a repository name (host/path) of exactly 255 characters parses; 256 is refused naming the bound")
    void nameLengthBound() throws Exception {
        String host = "registry.example.com";
        String atPath = "team/" + "a".repeat(ImageReference.MAX_NAME_LENGTH - host.length() - 1 - "team/".length());
        ImageReference at = ImageReference.parse(host + "/" + atPath + ":1.0");
        assertThat(at.repository()).hasSize(ImageReference.MAX_NAME_LENGTH);

        assertThatThrownBy(() -> ImageReference.parse(host + "/" + atPath + "a:1.0"))
                .isInstanceOf(InvalidImageReferenceException.class)
                .hasMessageContaining("longer than " + ImageReference.MAX_NAME_LENGTH);
        assertThatThrownBy(() -> ImageReference.parse(host + ":5000/" + atPath + ":1.0"))
                .as("the port counts")
                .hasMessageContaining("longer than " + ImageReference.MAX_NAME_LENGTH);
    }

    @Test
    @DisplayName("a digest is bounded by its algorithm: sha256 64 and sha512 128 hex digits parse, one more is refused,"
            + " a megabyte digest is refused by its length and quoted shortly, other algorithms by name")
    void digestLengthBound() throws Exception {
        String sha256 = "sha256:" + "a".repeat(64);
        String sha512 = "sha512:" + "b".repeat(128);
        assertThat(ImageReference.parse("r.example.com/app@" + sha256).digest()).isEqualTo(sha256);
        assertThat(ImageReference.parse("r.example.com/app@" + sha512).digest()).isEqualTo(sha512);
        assertThat(sha512).hasSize(ImageReference.MAX_DIGEST_LENGTH);

        assertThatThrownBy(() -> ImageReference.parse("r.example.com/app@" + sha256 + "a"))
                .isInstanceOf(InvalidImageReferenceException.class)
                .hasMessageContaining("a sha256 digest has 64 lower-case hex digits");
        assertThatThrownBy(() -> ImageReference.parse("r.example.com/app@" + sha512 + "b"))
                .isInstanceOf(InvalidImageReferenceException.class)
                .hasMessageContaining("digest of 136 characters is longer than " + ImageReference.MAX_DIGEST_LENGTH);

        String huge = "r.example.com/app@sha256:" + "a".repeat(1024 * 1024);
        assertThatThrownBy(() -> ImageReference.parse(huge))
                .isInstanceOf(InvalidImageReferenceException.class)
                .hasMessageContaining("longer than " + ImageReference.MAX_DIGEST_LENGTH)
                .hasMessageContaining("(" + huge.length() + " characters)")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(1000))
                .satisfies(e -> assertThat(((InvalidImageReferenceException) e).reference())
                        .isEqualTo(huge));

        assertThatThrownBy(() -> ImageReference.parse("r.example.com/app@sha384:" + "c".repeat(96)))
                .isInstanceOf(InvalidImageReferenceException.class)
                .hasMessageContaining("unsupported digest algorithm \"sha384\" (sha256 and sha512 are supported)");
    }
}
