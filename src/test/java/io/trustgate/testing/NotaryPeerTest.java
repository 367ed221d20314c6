package io.trustgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotaryPeerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName(
            "init, addhash and publish a GUN; the server serves timestamp.json and targets listing the hash; a delegation signs too")
    void publishAndFetch(@TempDir Path tmp) throws Exception {
        try (NotaryPeer notary = NotaryPeer.start("notary-peer-test")) {
            NotaryCli cli = notary.cli(tmp.resolve("trust"));
            String gun = "127.0.0.1:5000/demo/app";
            String hex = "ab".repeat(32);
            cli.init(gun);
            cli.addhash(gun, "1.0", 1234, hex);
            cli.publish(gun);

            JsonNode timestamp = JSON.readTree(notary.fetch(gun, "timestamp"));
            assertThat(timestamp.at("/signed/_type").asText()).isEqualTo("Timestamp");
            assertThat(timestamp.at("/signed/meta/snapshot").isObject()).isTrue();

            JsonNode targets = JSON.readTree(notary.fetch(gun, "targets"));
            JsonNode target = targets.at("/signed/targets/1.0");
            assertThat(target.get("length").asLong()).isEqualTo(1234);
            assertThat(HexFormat.of()
                            .formatHex(Base64.getDecoder()
                                    .decode(target.at("/hashes/sha256").asText())))
                    .isEqualTo(hex);

            NotaryCli.DelegationKey releases = cli.addDelegationSigner(gun, "targets/releases", tmp.resolve("keys"));
            assertThat(releases.publicPem()).exists();
            cli.addhash(gun, "2.0", 99, "cd".repeat(32), "targets/releases");
            cli.publish(gun);
            JsonNode delegated = JSON.readTree(notary.fetch(gun, "targets/releases"));
            assertThat(delegated.at("/signed/targets/2.0/length").asLong()).isEqualTo(99);
            assertThat(cli.list(gun).stdout()).contains("1.0").contains("2.0").contains("targets/releases");

            cli.remove(gun, "1.0");
            cli.publish(gun);
            assertThat(JSON.readTree(notary.fetch(gun, "targets"))
                            .at("/signed/targets/1.0")
                            .isMissingNode())
                    .isTrue();

            int snapshotVersion = JSON.readTree(notary.fetch(gun, "snapshot"))
                    .at("/signed/version")
                    .asInt();
            cli.keyRotate(gun, "snapshot", true);
            assertThat(JSON.readTree(notary.fetch(gun, "root"))
                            .at("/signed/version")
                            .asInt())
                    .isGreaterThan(1);
            assertThat(JSON.readTree(notary.fetch(gun, "snapshot"))
                            .at("/signed/version")
                            .asInt())
                    .isGreaterThanOrEqualTo(snapshotVersion);
        }
    }
}
