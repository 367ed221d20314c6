package io.trustgate.runtime;

import io.trustgate.notary.RepoBuilder;
import io.trustgate.tuf.TestKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Writes the Notary half of the warm-up data ({@code src/main/resources/io/trustgate/runtime/warmup}): a
 * throw-away repository made by {@link RepoBuilder} with keys generated here and discarded. Runs only with
 * {@code -Dtrustgate.write-warmup=true}; the README there says how the GPG half was made.
 */
class WarmupDataGenerator {

    @Test
    @DisplayName("regenerates the embedded warm-up Notary repository (only with -Dtrustgate.write-warmup=true)")
    void write() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("trustgate.write-warmup"));
        Path dir = Path.of("src/main/resources/io/trustgate/runtime/warmup");
        Instant now =
                Instant.parse(Files.readString(dir.resolve("reference-time")).strip());
        String digest = Files.readString(dir.resolve("digest")).strip();
        RepoBuilder repo = new RepoBuilder(Warmup.GUN, now);
        TestKey release = TestKey.ecdsa();
        repo.targets.put(Warmup.TAG, digest.substring("sha256:".length()));
        repo.delegate("targets/releases", release).targets.put(Warmup.TAG, digest.substring("sha256:".length()));
        for (Map.Entry<String, byte[]> file : repo.build().entrySet()) {
            Files.write(dir.resolve("notary-" + file.getKey().replace('/', '-') + ".json"), file.getValue());
        }
        Files.writeString(dir.resolve("notary-root-key.pem"), repo.rootKey.publicPem());
        Files.writeString(dir.resolve("notary-signer.pem"), release.publicPem());
    }
}
