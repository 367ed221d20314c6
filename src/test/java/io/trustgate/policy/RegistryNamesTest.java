package io.trustgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.image.ImageReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 9 part 4: a policy governs an image however its registry is spelled, as the runtime resolves it
 * (distribution/reference and containerd: host names are case-insensitive, {@code :443} is HTTPS's
 * default port, {@code index.docker.io} and {@code registry-1.docker.io} are Docker Hub). Both sides are
 * normalised, the image when parsed and the pattern's host when compiled.
 */
class RegistryNamesTest {

    @ParameterizedTest(name = "{0} governs {1}: {2}")
    @DisplayName("a pattern governs every spelling of its registry, and no other registry")
    @CsvSource({
        "registry.example.com/**, REGISTRY.example.com/app:1, true",
        "registry.example.com/**, registry.example.com:443/app:1, true",
        "registry.example.com/**, Registry.Example.Com:443/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, true",
        "REGISTRY.EXAMPLE.COM:443/**, registry.example.com/app:1, true",
        "registry.example.com:443/prod/*, registry.example.com/prod/app, true",
        "registry.example.com/**, registry.example.com:5000/app:1, false",
        "registry.example.com:5000/**, registry.example.com/app:1, false",
        "registry.example.com/**, registry.example.com.evil.io/app:1, false",
        "docker.io/library/**, index.docker.io/library/nginx, true",
        "docker.io/library/**, registry-1.docker.io/library/nginx:1.25, true",
        "registry-1.docker.io/library/**, nginx:1.25, true",
        "index.docker.io/bitnami/*, Docker.IO/bitnami/redis, true",
        "nginx, registry-1.docker.io:443/library/nginx, true",
        "*.example.com/**, MIRROR.example.com:443/x, true",
    })
    void governsEverySpelling(String pattern, String image, boolean governed) throws Exception {
        assertThat(ImagePattern.compile(pattern).matches(ImageReference.parse(image)))
                .isEqualTo(governed);
    }
}
