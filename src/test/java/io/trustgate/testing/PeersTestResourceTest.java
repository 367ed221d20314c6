package io.trustgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Quarkus test resource driven by hand (no application boot), as Quarkus would drive it. */
class PeersTestResourceTest {

    @Test
    @DisplayName("the test resource starts a basic-auth registry and a lookaside server, hands out their addresses, and stops them")
    void lifecycle() {
        PeersTestResource resource = new PeersTestResource();
        resource.init(Map.of("auth", "basic"));
        Map<String, String> config = resource.start();
        try {
            RegistryPeer registry = PeersTestResource.registry();
            assertThat(config).containsEntry("trustgate.insecure-registries", registry.host())
                    .containsEntry("trustgate.test.lookaside.url", PeersTestResource.lookaside().baseUrl());
            ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, "demo/app", "1.0");
            assertThat(image.digest()).startsWith("sha256:");
            assertThat(registry.username()).isEqualTo(PeersTestResource.USER);
        } finally {
            resource.stop();
        }
        assertThat(PeerProcess.listening(PeersTestResource.registry().port())).isFalse();
    }
}
