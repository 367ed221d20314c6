package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.image.ImageReference;
import io.trustgate.testing.ConformanceData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs every {@code kind: simple-signing} case of the conformance data (src/test/resources/conformance) through {@link SimpleSigning}. */
class SimpleSigningConformanceTest {

    private static final int EXPECTED_CASES = 117;

    static Path conformanceDir() {
        return ConformanceData.dir();
    }

    static List<JsonNode> simpleSigningCases() throws IOException {
        JsonNode all = new ObjectMapper()
                .readTree(conformanceDir().resolve("cases.json").toFile());
        List<JsonNode> cases = new ArrayList<>();
        for (JsonNode c : all) {
            if ("simple-signing".equals(c.path("kind").asText())) {
                cases.add(c);
            }
        }
        return cases;
    }

    static Stream<Arguments> cases() throws IOException {
        return simpleSigningCases().stream().map(c -> Arguments.of(c.get("id").asText(), c));
    }

    @Test
    @DisplayName("the shared data holds all 117 simple-signing cases (none silently missing)")
    void allCasesPresent() throws IOException {
        assertThat(simpleSigningCases()).hasSize(EXPECTED_CASES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("simple-signing conformance case gets the expected verdict and signer")
    void conformanceCase(String id, JsonNode c) throws Exception {
        Path root = conformanceDir();
        byte[] manifest = Files.readAllBytes(root.resolve(c.get("manifest").asText()));
        String digest = "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(manifest));
        assertThat(digest)
                .as("sha256 of the manifest")
                .isEqualTo(c.get("manifest_digest").asText());

        List<byte[]> keyFiles = new ArrayList<>();
        for (JsonNode k : c.get("trusted_keys")) {
            keyFiles.add(Files.readAllBytes(root.resolve(k.asText())));
        }
        PgpKeys trusted = PgpKeys.parse(keyFiles.toArray(byte[][]::new));
        List<byte[]> signatures = new ArrayList<>();
        for (JsonNode s : c.get("signatures")) {
            signatures.add(Files.readAllBytes(root.resolve(s.asText())));
        }
        Clock clock = Clock.fixed(Instant.parse(c.get("reference_time").asText()), ZoneOffset.UTC);
        ImageReference image = ImageReference.parse(c.get("gun_or_reference").asText());

        List<SignatureCheck> checks =
                new SimpleSigning(clock).verifyAll(signatures, trusted, digest, image, rule(c.get("signed_identity")));

        if ("valid".equals(c.get("expected").asText())) {
            assertThat(SignatureCheck.distinctSigners(checks))
                    .as("distinct signers of %s; checks: %s", id, checks)
                    .containsExactly(c.get("expected_signer").asText());
        } else {
            assertThat(checks)
                    .as(
                            "checks of %s (expected invalid: %s)",
                            id, c.path("reason").asText())
                    .allSatisfy(check -> assertThat(check).isInstanceOf(SignatureCheck.Rejected.class));
        }
    }

    static SignedIdentity rule(JsonNode signedIdentity) throws InvalidSignedIdentityException {
        String type = signedIdentity.get("type").asText();
        return switch (type) {
            case "exactReference" ->
                SignedIdentity.exactReference(
                        signedIdentity.get("dockerReference").asText());
            case "exactRepository" ->
                SignedIdentity.exactRepository(
                        signedIdentity.get("dockerRepository").asText());
            default -> SignedIdentity.parse(type);
        };
    }
}
