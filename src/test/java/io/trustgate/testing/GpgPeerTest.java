package io.trustgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpgPeerTest {

    @Test
    @DisplayName(
            "skopeo --sign-by writes signature-1 under <path>@sha256=<hex>, standalone-verify accepts it and rejects a wrong identity")
    void signAndVerify(@TempDir Path tmp) throws Exception {
        try (RegistryPeer registry = RegistryPeer.builder("gpg-peer-registry").start();
                GpgPeer gpg = GpgPeer.create()) {
            ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, "demo/app", "1.0");
            String fpr = gpg.generateKey("Release Signer", "release@example.test");
            assertThat(fpr).matches("[0-9A-F]{40}");
            assertThat(gpg.exportPublic(fpr)).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");

            Path lookaside = tmp.resolve("lookaside");
            GpgPeer.Signed signed = gpg.signImage(fpr, image.reference(), lookaside);
            assertThat(signed.digest()).isEqualTo(image.digest());
            assertThat(signed.directory()).isEqualTo(lookaside.resolve("demo/app@sha256=" + image.hex()));
            assertThat(signed.signatures())
                    .extracting(p -> p.getFileName().toString())
                    .containsExactly("signature-1");

            Path manifest = image.writeManifest(tmp.resolve("manifest.json"));
            GpgPeer.Verification ok = gpg.standaloneVerify(manifest, image.reference(), fpr, signed.latest());
            assertThat(ok.ok()).as(ok.output()).isTrue();
            assertThat(ok.output()).contains(image.digest());

            GpgPeer.Verification wrong =
                    gpg.standaloneVerify(manifest, registry.host() + "/demo/other:1.0", fpr, signed.latest());
            assertThat(wrong.ok()).isFalse();

            GpgPeer.Signed again = gpg.signImage(fpr, image.reference(), lookaside);
            assertThat(again.signatures()).hasSize(2);
            assertThat(Files.size(again.latest())).isPositive();
        }
    }

    @Test
    @DisplayName(
            "an ed25519 key signs too, against a registry with basic auth, and the signatures are served by LookasidePeer")
    void ed25519WithCredentials(@TempDir Path tmp) throws Exception {
        try (RegistryPeer registry = RegistryPeer.builder("gpg-peer-basic")
                        .basicAuth("alice", "s3cret")
                        .start();
                GpgPeer gpg = GpgPeer.create();
                LookasidePeer lookaside = LookasidePeer.serve("gpg-peer-lookaside", tmp.resolve("sigs"))) {
            ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, "demo/app", "2.0");
            String fpr = gpg.generateKey("Ed Signer", "ed@example.test", "ed25519");
            GpgPeer.Signed signed = gpg.signImage(fpr, image.reference(), lookaside.root(), "alice", "s3cret");
            assertThat(signed.digest()).isEqualTo(image.digest());
            var response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                            lookaside.baseUrl() + "/demo/app@sha256=" + image.hex() + "/signature-1"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(Files.readAllBytes(signed.latest()));
            assertThat(lookaside.requests()).isEqualTo(1);
        }
    }
}
