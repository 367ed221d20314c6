package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.PolicySet;
import io.trustgate.runtime.VerifierStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keysFrom Secrets holding unusable keys (an OpenPGP block that does not parse, a PEM block that does not
 * parse, a line that is no key id), compiled with the webhook's real key check: each policy is broken with a
 * message naming the Secret and key, and none quotes the Secret's content.
 */
class SecretsStayOutOfMessagesTest {

    @Test
    @DisplayName("a keysFrom Secret with a bad OpenPGP key, a bad PEM key or a bad key id is named, never quoted")
    void brokenKeysNameTheSecretOnly(@TempDir Path dir) throws Exception {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: v1
                kind: Secret
                metadata: {name: planted, namespace: trustgate}
                data:
                """);
        PlantedSecrets.KEYS.forEach((k, v) -> yaml.append("  ")
                .append(k)
                .append(": ")
                .append(Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)))
                .append('\n'));
        Map<String, String> where = Map.of(
                "pgp.asc",
                "lookaside: https://s.example.com",
                "key.pem",
                "notary: {server: https://n.example.com, rootKeys: [\"" + "ab".repeat(32) + "\"]}",
                "ids",
                "notary: {server: https://n.example.com, rootKeys: [\"" + "ab".repeat(32) + "\"]}");
        where.forEach(
                (key, source) -> yaml.append("""
                ---
                apiVersion: trustgate.io/v1alpha1
                kind: ClusterTrustPolicy
                metadata: {name: from-%s}
                spec:
                  images: ["r.example.com/%s/**"]
                  %s
                  signers: [{name: team, keysFrom: {secretKeyRef: {name: planted, key: "%s"}}}]
                """.formatted(key.replace('.', '-'), key.replace('.', '-'), source, key)));
        Files.writeString(dir.resolve("policies.yaml"), yaml);

        PolicySet set = new PolicyDirectory(dir, "trustgate", VerifierStack.keyCheck()).load();

        assertThat(set.policies()).isEmpty();
        assertThat(set.broken()).hasSize(3).allSatisfy(b -> {
            assertThat(b.error()).contains("Secret trustgate/planted key \"");
            for (String mark : PlantedSecrets.MARKS) {
                assertThat(b.error()).doesNotContain(mark).doesNotContain(mark.substring(0, 4));
            }
        });
        assertThat(set.broken())
                .extracting(BrokenPolicy::error)
                .anySatisfy(e -> assertThat(e).contains("key \"pgp.asc\"").contains("OpenPGP public key"))
                .anySatisfy(e -> assertThat(e).contains("key \"key.pem\"").contains("PEM public key"))
                .anySatisfy(e -> assertThat(e).contains("key \"ids\"").contains("64-hex-digit key id"));
    }
}
