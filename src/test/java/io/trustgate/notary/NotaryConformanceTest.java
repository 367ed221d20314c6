package io.trustgate.notary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.testing.ConformanceData;
import io.trustgate.tuf.ExpiredMetadataException;
import io.trustgate.tuf.HashMismatchException;
import io.trustgate.tuf.LengthMismatchException;
import io.trustgate.tuf.Limits;
import io.trustgate.tuf.RoleKeys;
import io.trustgate.tuf.RollbackException;
import io.trustgate.tuf.RootCertificateException;
import io.trustgate.tuf.RootMetadata;
import io.trustgate.tuf.RootPinException;
import io.trustgate.tuf.RootPins;
import io.trustgate.tuf.SignatureVerifier;
import io.trustgate.tuf.SignedMetadata;
import io.trustgate.tuf.TargetsMetadata;
import io.trustgate.tuf.ThresholdNotMetException;
import io.trustgate.tuf.TrustDataException;
import io.trustgate.tuf.TufKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every {@code kind: notary} case of the shared conformance data ({@code cases.json}) through the
 * client as a Notary server would serve it, with the clock pinned at the case's reference time.
 */
@DisplayName("Notary v1 conformance cases from the conformance data in src/test/resources/conformance")
class NotaryConformanceTest {

    private static final int REPOSITORY_CASES = 29;
    private static final int ROLE_CASES = 7;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The failure each invalid repository case must end with (unsigned-tag is valid data with no such tag). */
    private static final Map<String, Consumer<Throwable>> EXPECTED_FAILURES = Map.ofEntries(
            Map.entry("nv1-alpine-2018-timestamp-expired", expired("timestamp", "2018-08-03T15:48:41.776179945Z")),
            Map.entry("nv1-alpine-2018-at-survey-time", rootCertificate("certificate expired at 2025-08-08T03:36:32Z")),
            Map.entry("nv1-alpine-2018-wrong-root-pin", NotaryConformanceTest::rootPin),
            Map.entry(
                    "nv1-alpine-2018-gun-mismatch",
                    rootCertificate("CN docker.io/library/alpine is not the GUN docker.io/library/busybox")),
            Map.entry("nv1-alice-2019-reformatted-files", bytesDiffer("snapshot")),
            Map.entry("nv1-alice-2019-timestamp-expired", expired("timestamp", "2019-10-24T09:43:18.580935226Z")),
            Map.entry(
                    "nv1-delegation-2020-rollback",
                    e -> assertThat(e).isInstanceOfSatisfying(RollbackException.class, r -> {
                        assertThat(r.role()).isEqualTo("timestamp");
                        assertThat(r.trustedVersion()).isEqualTo(6);
                        assertThat(r.newVersion()).isEqualTo(1);
                    })),
            Map.entry("nv1-delegation-2020-mix-and-match-snapshot", bytesDiffer("snapshot")),
            Map.entry("nv1-busybox-2018-good-expired", expired("timestamp", "2018-09-26T18:14:19.798853706Z")),
            Map.entry("nv1-busybox-2018-bad-pinned", NotaryConformanceTest::rootPin),
            Map.entry("nv1-harbor-2020-expired-2030", rootCertificate("certificate expired at 2030-02-21T10:51:14Z")),
            Map.entry("nv1-notary01-gun-mismatch", rootCertificate("is not the GUN docker.com/notary0.1/otherrepo")),
            Map.entry("nv1-notary03-root-cert-expired", rootCertificate("certificate expired at 2026-07-25T22:56:32Z")),
            Map.entry("nv1-connaisseur-never-expire-strict", rootCertificate("CA certificate")));

    /**
     * Cases the Notary client fails as a whole because of one bad delegation. trustgate leaves the bad delegations
     * out instead (issue 9: one bad role removes only the signers that depend on it): the update succeeds, every
     * bad delegation is reported with this evidence, and no target of it counts, so the verdict stays "invalid"
     * for a signer that depends on it. Signers proven by targets itself still count.
     */
    private static final Map<String, Consumer<Throwable>> EXPECTED_REJECTED_DELEGATIONS = Map.of(
            "nv1-delegation-2020-v6-delegations-withheld",
                    e -> assertThat(e)
                            .isInstanceOf(TrustDataNotFoundException.class)
                            .satisfies(x ->
                                    assertThat(((TrustDataException) x).role()).startsWith("targets/")),
            "nv1-delegation-2020-mix-and-match-delegation",
                    e -> assertThat(e)
                            .isInstanceOfAny(LengthMismatchException.class, HashMismatchException.class)
                            .satisfies(x ->
                                    assertThat(((TrustDataException) x).role()).startsWith("targets/")));

    private static final Map<String, Consumer<Throwable>> EXPECTED_ROLE_FAILURES = Map.of(
            "nv1-role-expired-root", expired("root", "1990-01-01T12:12:13.21926558Z"),
            "nv1-role-root-without-signatures", threshold("root"),
            "nv1-role-targets-bad-signature", threshold("targets"),
            "nv1-role-expired-snapshot", expired("snapshot", "1990-10-27T08:00:05.282502691Z"),
            "nv1-role-delegation-bad-signature", threshold("targets/del1"),
            "nv1-role-expired-delegation", expired("targets/del1", "1970-08-26T12:12:13.21926558Z"));

    static Path shared() {
        return ConformanceData.dir();
    }

    static List<JsonNode> notaryCases(String scope) throws IOException {
        JsonNode all = JSON.readTree(shared().resolve("cases.json").toFile());
        return StreamSupport.stream(all.spliterator(), false)
                .filter(c -> c.path("kind").asText().equals("notary")
                        && c.path("scope").asText().equals(scope))
                .toList();
    }

    static Stream<Arguments> repositoryCases() throws IOException {
        return notaryCases("repository").stream()
                .map(c -> Arguments.of(Named.of(c.get("id").asText(), c)));
    }

    static Stream<Arguments> roleCases() throws IOException {
        return notaryCases("role").stream()
                .map(c -> Arguments.of(Named.of(c.get("id").asText(), c)));
    }

    @Test
    @DisplayName(
            "the shared data holds 29 repository-scope and 7 role-scope notary cases, all with an expectation here")
    void everyCaseIsCovered() throws IOException {
        List<JsonNode> repository = notaryCases("repository");
        List<JsonNode> role = notaryCases("role");
        assertThat(repository).hasSize(REPOSITORY_CASES);
        assertThat(role).hasSize(ROLE_CASES);
        for (JsonNode c : repository) {
            if (c.get("expected").asText().equals("invalid")
                    && c.path("expected_digest").isMissingNode()
                    && !c.get("id").asText().equals("nv1-alpine-2018-unsigned-tag")) {
                assertThat(EXPECTED_FAILURES.containsKey(c.get("id").asText())
                                || EXPECTED_REJECTED_DELEGATIONS.containsKey(
                                        c.get("id").asText()))
                        .as("expected failure for %s", c.get("id").asText())
                        .isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("repositoryCases")
    @DisplayName("repository case: full client update gives the expected verdict, digest and signing roles")
    void repositoryCase(JsonNode c) throws IOException {
        String id = c.get("id").asText();
        String gun = c.get("gun_or_reference").asText();
        String tag = c.get("tag").asText();
        InMemoryNotaryServer server = new InMemoryNotaryServer();
        c.get("roles")
                .fields()
                .forEachRemaining(
                        e -> server.put(gun, e.getKey(), read(e.getValue().asText())));
        TrustedVersions versions = new TrustedVersions();
        c.path("trusted_versions")
                .fields()
                .forEachRemaining(
                        e -> versions.record(gun, e.getKey(), e.getValue().asLong()));
        Clock clock = Clock.fixed(Instant.parse(c.get("reference_time").asText()), ZoneOffset.UTC);
        NotaryClient client = new NotaryClient(server, clock, Limits.DEFAULT, versions);

        CompletableFuture<TrustedRepository> update = client.update(gun, pins(c));
        Throwable failure = catchThrowable(update::join);
        if (c.get("expected").asText().equals("valid")) {
            assertThat(failure).as("%s: update must succeed", id).isNull();
            assertValid(c, update.join(), tag);
        } else if (EXPECTED_REJECTED_DELEGATIONS.containsKey(id)) {
            assertThat(failure)
                    .as("%s: the update succeeds without the bad delegations", id)
                    .isNull();
            TrustedRepository repo = update.join();
            assertThat(repo.rejectedRoles())
                    .as("%s: %s", id, c.get("reason").asText())
                    .isNotEmpty()
                    .allSatisfy(r -> EXPECTED_REJECTED_DELEGATIONS.get(id).accept(r.error()));
            for (var rejected : repo.rejectedRoles()) {
                assertThat(repo.role(rejected.role()))
                        .as("%s is left out", rejected.role())
                        .isEmpty();
                assertThat(repo.targetsForTag(tag)).noneMatch(t -> t.role().equals(rejected.role()));
            }
        } else if (EXPECTED_FAILURES.containsKey(id)) {
            assertThat(failure)
                    .as("%s must fail: %s", id, c.get("reason").asText())
                    .isInstanceOf(CompletionException.class);
            EXPECTED_FAILURES.get(id).accept(failure.getCause());
        } else {
            // valid trust data that signs no such tag: the verdict is "not signed"
            assertThat(failure).as("%s: update must succeed", id).isNull();
            TrustedRepository repo = update.join();
            assertThat(repo.targetsForTag(tag))
                    .as("%s: %s", id, c.get("reason").asText())
                    .isEmpty();
            assertThat(repo.dockerTarget(tag)).isEmpty();
        }
    }

    private static void assertValid(JsonNode c, TrustedRepository repo, String tag) {
        String id = c.get("id").asText();
        String expected = c.get("expected_digest").asText();
        assertThat(repo.dockerTarget(tag))
                .as("%s: Docker's resolution of %s", id, tag)
                .hasValueSatisfying(t -> assertThat(t.digest()).isEqualTo(expected));
        Map<String, String> byRole = new LinkedHashMap<>();
        repo.targetsForTag(tag).forEach(t -> byRole.put(t.role(), t.digest()));
        Map<String, String> expectedByRole = new LinkedHashMap<>();
        c.get("signed_by_roles")
                .fields()
                .forEachRemaining(
                        e -> expectedByRole.put(e.getKey(), e.getValue().asText()));
        assertThat(byRole).as("%s: digest per signing role", id).containsExactlyInAnyOrderEntriesOf(expectedByRole);

        // every signing role's key counts as a signer of its digest, and only for that digest
        List<NotarySigner> signers = new ArrayList<>();
        expectedByRole
                .keySet()
                .forEach(role -> signers.add(new NotarySigner(
                        role + "-signer",
                        repo.role(role).orElseThrow().signingKeys().stream()
                                .map(TufKey::keyId)
                                .toList(),
                        List.of(role))));
        NotaryEvidence evidence = NotarySignatures.evaluate(repo, tag, expected, signers);
        expectedByRole.forEach((role, digest) -> {
            if (digest.equals(expected)) {
                assertThat(evidence.isSignedBy(role + "-signer"))
                        .as("%s: %s signed %s", id, role, expected)
                        .isTrue();
            } else {
                assertThat(evidence.mismatches())
                        .as("%s: %s signs another digest", id, role)
                        .contains(new NotaryEvidence.DigestMismatch(role, tag, digest, expected));
            }
        });
        assertThat(repo.earliestExpiry())
                .isAfter(Instant.parse(c.get("reference_time").asText()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("roleCases")
    @DisplayName("role case: one role's metadata checked against the keys its parent assigns")
    void roleCase(JsonNode c) {
        String id = c.get("id").asText();
        String role = c.get("role").asText();
        byte[] metadata = read(c.get("metadata").asText());
        byte[] keysFrom = read(c.get("keys_from").asText());
        Instant reference = Instant.parse(c.get("reference_time").asText());
        Throwable failure = catchThrowable(() -> {
            RoleKeys keys;
            String type;
            if (role.equals("root") || role.equals("timestamp") || role.equals("snapshot") || role.equals("targets")) {
                keys = RootMetadata.parse(keysFrom).roleKeys(role);
                type = role.equals("root") || role.equals("timestamp") || role.equals("snapshot") ? role : "targets";
            } else {
                String parent = role.substring(0, role.lastIndexOf('/'));
                keys = TargetsMetadata.parse(parent, keysFrom).delegationKeys(role);
                type = "targets";
            }
            SignedMetadata md = SignedMetadata.parse(role, type, metadata);
            SignatureVerifier.verify(md, keys);
            md.checkNotExpired(reference);
        });
        if (c.get("expected").asText().equals("valid")) {
            assertThat(failure).as(id).isNull();
        } else {
            assertThat(failure)
                    .as("%s must fail: %s", id, c.get("reason").asText())
                    .isNotNull();
            EXPECTED_ROLE_FAILURES.get(id).accept(failure);
        }
    }

    private static RootPins pins(JsonNode c) {
        JsonNode pin = c.get("root_pin");
        if (pin == null || pin.isNull()) {
            // the case checks the certificate's CN against the GUN: pin the data's own root key so that
            // the GUN mismatch is the only thing wrong
            return RootPins.of(new String(read(c.get("set").asText() + "/root-pubkey.pem"), StandardCharsets.US_ASCII));
        }
        if (pin.has("pem")) {
            return RootPins.of(new String(read(pin.get("pem").asText()), StandardCharsets.US_ASCII));
        }
        return RootPins.of(pin.get("canonical_key_id").asText());
    }

    private static byte[] read(String relative) {
        try {
            return Files.readAllBytes(shared().resolve(relative));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read conformance file " + relative, e);
        }
    }

    private static Consumer<Throwable> expired(String role, String expires) {
        return e -> assertThat(e).isInstanceOfSatisfying(ExpiredMetadataException.class, x -> {
            assertThat(x.role()).isEqualTo(role);
            assertThat(x.expires()).isEqualTo(Instant.parse(expires));
        });
    }

    private static Consumer<Throwable> rootCertificate(String problem) {
        return e -> assertThat(e)
                .isInstanceOfSatisfying(
                        RootCertificateException.class,
                        x -> assertThat(x.problemsByKeyId().values())
                                .anySatisfy(p -> assertThat(p).contains(problem)));
    }

    private static void rootPin(Throwable e) {
        assertThat(e).isInstanceOf(RootPinException.class).hasMessageContaining("no root key matches a pin");
    }

    private static Consumer<Throwable> bytesDiffer(String role) {
        return e -> assertThat(e)
                .isInstanceOfAny(LengthMismatchException.class, HashMismatchException.class)
                .satisfies(x -> assertThat(((TrustDataException) x).role()).isEqualTo(role));
    }

    private static Consumer<Throwable> threshold(String role) {
        return e -> assertThat(e)
                .isInstanceOfSatisfying(
                        ThresholdNotMetException.class,
                        x -> assertThat(x.role()).isEqualTo(role));
    }
}
