package io.trustgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.testing.NotaryCli;
import io.trustgate.testing.NotaryPeer;
import io.trustgate.testing.PeerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code trustgate inspect} against a real notary-server holding a repository that the {@code notary} CLI
 * signed in {@code targets} and in the {@code targets/releases} delegation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("trustgate inspect")
class InspectCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GUN = "registry.example.test/cli/app";

    private NotaryPeer notary;
    private Path dir;
    private String hex;
    private Path rootPem;
    private String targetsKeyId;

    @BeforeAll
    void sign() throws Exception {
        notary = NotaryPeer.start("cli-inspect-notary");
        // A fresh trust directory per run: the server's storage is in memory, the CLI's is not.
        dir = Files.createTempDirectory(PeerProcess.peerDir("cli-inspect"), "run-");
        NotaryCli cli = notary.cli(dir.resolve("trust"));
        cli.init(GUN);
        byte[] digest = new byte[32];
        ThreadLocalRandom.current().nextBytes(digest);
        hex = HexFormat.of().formatHex(digest);
        cli.addhash(GUN, "1.0", 1234, hex);
        cli.publish(GUN);
        cli.addDelegationSigner(GUN, "targets/releases", Files.createDirectories(dir.resolve("keys")));
        cli.addhash(GUN, "1.0", 1234, hex, "targets/releases");
        cli.publish(GUN);
        // The root certificate, as docs/notary.md tells a repository owner to find it.
        JsonNode signed = JSON.readTree(cli.trustDir()
                        .resolve("tuf")
                        .resolve(GUN)
                        .resolve("metadata")
                        .resolve("root.json")
                        .toFile())
                .get("signed");
        String rootId = signed.at("/roles/root/keyids/0").asText();
        rootPem = dir.resolve("root.pem");
        Files.writeString(
                rootPem,
                new String(
                        Base64.getDecoder()
                                .decode(signed.at("/keys/" + rootId + "/keyval/public")
                                        .asText()),
                        StandardCharsets.US_ASCII));
        targetsKeyId = signed.at("/roles/targets/keyids/0").asText();
    }

    @AfterAll
    void stop() {
        if (notary != null) {
            notary.close();
        }
    }

    private CliRun inspect(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(
                "inspect",
                "--notary-server",
                notary.url(),
                "--ca-bundle",
                notary.caPem().toString()));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    @DisplayName("from 2026-12-08 a docker.io image without --notary-server gets the retirement of Docker Hub's Notary"
            + " at once, without a request; a server of one's own still answers")
    void dockerHubNotaryRetired() {
        java.time.Clock after = java.time.Clock.fixed(
                io.trustgate.verify.NotarySignatureSource.DOCKER_HUB_NOTARY_RETIREMENT, java.time.ZoneOffset.UTC);
        long started = System.nanoTime();
        for (String[] args : List.of(
                new String[] {"inspect", "alpine:3.20"},
                new String[] {"inspect", "docker.io/library/alpine", "--notary-server", "https://notary.docker.io/"})) {
            CliRun run = CliRun.at(after, args);
            assertThat(run.code()).as(run.describe()).isEqualTo(Main.ERROR);
            assertThat(run.err())
                    .isEqualTo("trustgate: Docker Hub's Notary (notary.docker.io) was retired on 2026-12-08 with"
                            + " Docker Content Trust; sign with cosign or Notation, or point --notary-server at a"
                            + " Notary you run; see docs/migrating-from-dct.md\n");
        }
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
                .as("answered without waiting on a network")
                .isLessThan(java.time.Duration.ofSeconds(5));

        CliRun own = CliRun.at(
                java.time.Clock.offset(after, java.time.Duration.ofDays(1)),
                "inspect",
                "--notary-server",
                notary.url(),
                "--ca-bundle",
                notary.caPem().toString(),
                GUN,
                "--root-key",
                rootPem.toString());
        assertThat(own.code()).as(own.describe()).isEqualTo(0);
        assertThat(own.err()).isEmpty();
    }

    @Test
    @DisplayName(
            "with the root pinned it shows the signed tag, its digest, the roles and keys that sign it, and each role's expiry")
    void pinned() {
        CliRun run = inspect(GUN, "--root-key", rootPem.toString());
        assertThat(run.code()).as(run.describe()).isEqualTo(0);
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("Signatures for " + GUN).contains("Root: pinned to certificate key sha256:");
        List<String> tagLines =
                run.out().lines().filter(l -> l.startsWith("1.0 ")).toList();
        assertThat(tagLines).hasSize(2);
        assertThat(tagLines).allSatisfy(l -> assertThat(l).contains("sha256:" + hex));
        assertThat(tagLines).anySatisfy(l -> assertThat(l).contains(" targets ").contains(targetsKeyId));
        assertThat(tagLines).anySatisfy(l -> assertThat(l).contains(" targets/releases "));
        for (String role : List.of("root", "timestamp", "snapshot", "targets", "targets/releases")) {
            assertThat(run.out().lines())
                    .as("expiry of " + role)
                    .anyMatch(l -> l.startsWith(role + " ") && l.contains("(in "));
        }
    }

    @Test
    @DisplayName("without --root-key it trusts the served root on first use and says so loudly")
    void trustOnFirstUse() {
        CliRun run = inspect(GUN + ":1.0");
        assertThat(run.code()).as(run.describe()).isEqualTo(0);
        assertThat(run.err()).contains("WARNING: no --root-key given").contains("on first use");
        assertThat(run.out()).contains("Root: TRUSTED ON FIRST USE, NOT PINNED").contains("sha256:" + hex);
    }

    @Test
    @DisplayName("a wrong --root-key is a failure to establish trust: exit 1 with the pin error")
    void wrongRootKey() {
        String otherId = "ab".repeat(32);
        CliRun run = inspect(GUN, "--root-key", otherId);
        assertThat(run.code()).as(run.describe()).isEqualTo(1);
        // No Notary section; the registry section says its (fictional) registry cannot be reached.
        assertThat(run.out().strip())
                .doesNotContain("Signatures for " + GUN)
                .startsWith("Signatures in the registry for ");
        assertThat(run.err().strip())
                .startsWith("trustgate: cannot establish trust in " + GUN + ": root of " + GUN
                        + " is not signed by the pinned key(s) [key id " + otherId + "]")
                .contains("no root key matches a pin");
    }

    @Test
    @DisplayName("--output json lists signed tags, roles and expiries")
    void json() throws Exception {
        CliRun run = inspect(GUN, "--root-key", rootPem.toString(), "-o", "json");
        assertThat(run.code()).as(run.describe()).isEqualTo(0);
        JsonNode o = JSON.readTree(run.out());
        assertThat(o.path("repository").asText()).isEqualTo(GUN);
        assertThat(o.path("trustOnFirstUse").asBoolean()).isFalse();
        assertThat(o.path("signedTags"))
                .extracting(t -> t.path("tag").asText() + " " + t.path("digest").asText() + " "
                        + t.path("role").asText())
                .containsExactlyInAnyOrder("1.0 sha256:" + hex + " targets", "1.0 sha256:" + hex + " targets/releases");
        assertThat(o.path("expiries"))
                .extracting(e -> e.path("role").asText())
                .contains("root", "timestamp", "snapshot");
    }

    @Test
    @DisplayName("an image outside docker.io with neither --notary-server nor --policies lists its registry's"
            + " signatures: a registry that cannot be reached is an I/O error, exit 2")
    void noServer() {
        CliRun run = CliRun.of("inspect", GUN);
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().strip()).startsWith("trustgate: cannot resolve " + GUN + ":latest: ");
    }
}
