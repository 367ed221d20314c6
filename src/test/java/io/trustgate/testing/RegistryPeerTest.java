package io.trustgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RegistryPeerTest {

    private static final String ACCEPT =
            "application/vnd.oci.image.manifest.v1+json," + "application/vnd.docker.distribution.manifest.v2+json";

    @Test
    @DisplayName(
            "an image pushed to the real registry answers HEAD with the digest skopeo reported, and the access log counts it")
    void pushAndHead() throws Exception {
        try (RegistryPeer registry = RegistryPeer.builder("registry-peer-test").start()) {
            ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, "demo/app", "1.0");
            HttpResponse<Void> head = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/demo/app/manifests/1.0"))
                                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                    .header("Accept", ACCEPT)
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Docker-Content-Digest")).contains(image.digest());
            assertThat(image.mediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
            assertThat(registry.countRequests("HEAD", "/v2/demo/app/manifests/1.0"))
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    @DisplayName("a Docker v2 image is pushed as a Docker v2 schema 2 manifest with a fresh digest each time")
    void dockerFormat() {
        try (RegistryPeer registry =
                RegistryPeer.builder("registry-peer-docker").start()) {
            ImageFactory.PushedImage a = ImageFactory.push(registry, "demo/app", "a", ImageFactory.Format.DOCKER_V2);
            ImageFactory.PushedImage b = ImageFactory.push(registry, "demo/app", "b", ImageFactory.Format.DOCKER_V2);
            assertThat(a.mediaType()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
            assertThat(a.digest()).isNotEqualTo(b.digest()).startsWith("sha256:");
        }
    }

    @Test
    @DisplayName("a multi-platform OCI index is pushed with its two platform manifests")
    void index() throws Exception {
        try (RegistryPeer registry = RegistryPeer.builder("registry-peer-index").start()) {
            ImageFactory.PushedIndex pushed = ImageFactory.pushIndex(registry, "demo/multi", "1.0");
            assertThat(pushed.index().mediaType()).isEqualTo("application/vnd.oci.image.index.v1+json");
            assertThat(pushed.platformDigests())
                    .hasSize(2)
                    .doesNotContain(pushed.index().digest());
            for (String platform : pushed.platformDigests()) {
                HttpResponse<Void> head = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(registry.baseUrl() + "/v2/demo/multi/manifests/" + platform))
                                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                        .header("Accept", ACCEPT)
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                assertThat(head.statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    @DisplayName("a registry with htpasswd auth refuses anonymous requests and takes the configured user")
    void basicAuth() throws Exception {
        try (RegistryPeer registry = RegistryPeer.builder("registry-peer-basic")
                .basicAuth("alice", "s3cret")
                .start()) {
            ImageFactory.pushRandom(registry, "demo/app", "1.0");
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create(registry.baseUrl() + "/v2/demo/app/manifests/1.0");
            assertThat(http.send(
                                    HttpRequest.newBuilder(uri)
                                            .header("Accept", ACCEPT)
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .isEqualTo(401);
            String basic = Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
            assertThat(http.send(
                                    HttpRequest.newBuilder(uri)
                                            .header("Accept", ACCEPT)
                                            .header("Authorization", "Basic " + basic)
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    @DisplayName("a registry with token auth accepts the JWTs of the harness token server")
    void tokenAuth() {
        TokenServer tokens = TokenServer.create("registry-peer-token-server")
                .user("alice", "s3cret")
                .start();
        try (RegistryPeer registry = RegistryPeer.builder("registry-peer-token")
                .tokenAuth(tokens, "alice", "s3cret")
                .start()) {
            ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, "demo/app", "1.0");
            assertThat(image.digest()).startsWith("sha256:");
            assertThat(tokens.hits()).isGreaterThanOrEqualTo(1);
            assertThat(tokens.requests()).anySatisfy(r -> assertThat(r.user()).isEqualTo("alice"));
        }
    }
}
