package io.trustgate.recheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.admission.NamespaceLabels;
import io.trustgate.admission.PullCredentials;
import io.trustgate.cache.CacheSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Mode;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.RegistryClient;
import io.trustgate.testing.MutableClock;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.SignatureSource;
import io.trustgate.verify.SignerEvidence;
import io.trustgate.verify.SourceFindings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The recheck of running Pods and the PolicyReports built from it, with an in-memory registry and signature
 * source and a pinned clock: which digests are checked (once each), what each workload's result says, and the
 * report's shape as wgpolicyk8s.io/v1alpha2 has it.
 */
class RecheckTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final String GOOD = "sha256:" + "a".repeat(64);
    private static final String BAD = "sha256:" + "b".repeat(64);
    private static final String ELSEWHERE = "sha256:" + "c".repeat(64);
    private static final CacheSettings CACHE = new CacheSettings(
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            Duration.ofHours(1),
            1000,
            Duration.ofSeconds(10));

    private final MutableClock clock = MutableClock.at(NOW);
    private final AtomicInteger resolves = new AtomicInteger();
    private final RegistryClient registry = (ref, creds) -> {
        resolves.incrementAndGet();
        return CompletableFuture.completedFuture(new ManifestDescriptor(GOOD, null, -1));
    };
    /** Alice signed GOOD only; what it was asked is recorded. */
    private final List<String> collected = new CopyOnWriteArrayList<>();

    private final SignatureSource source = new SignatureSource() {
        @Override
        public boolean appliesTo(Policy policy) {
            return true;
        }

        @Override
        public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
            collected.add(digest);
            List<SignerEvidence> found =
                    digest.equals(GOOD) ? List.of(new SignerEvidence("alice", "gpg", "key-alice")) : List.of();
            return CompletableFuture.completedFuture(
                    new SourceFindings(found, List.of(), List.of(), NOW.plus(Duration.ofDays(3))));
        }
    };

    private static Policy policy(String name, Mode mode) throws Exception {
        return policy(PolicyId.cluster(name), mode);
    }

    private static Policy policy(PolicyId id, Mode mode) throws Exception {
        return Policy.builder(id, id.name(), "1")
                .mode(mode)
                .images(List.of(ImagePattern.compile("r.example.com/**")))
                .signers(List.of(
                        Signer.builder("alice").keys(List.of("key-alice")).build()))
                .build();
    }

    private Recheck recheck(PolicySet policies, Exemptions exemptions) {
        ImageVerifier verifier = new ImageVerifier(registry, List.of(source), clock, CACHE);
        return new Recheck(
                () -> policies, NamespaceLabels.NONE, PullCredentials.ANONYMOUS, verifier, exemptions, clock, 1000);
    }

    private static RunningPod pod(String ns, String name, String owner, String image, String imageId) {
        return new RunningPod(
                ns,
                name,
                "uid-" + name,
                owner == null
                        ? new RunningPod.Workload("v1", "Pod", name, "uid-" + name)
                        : new RunningPod.Workload("apps/v1", "ReplicaSet", owner, "uid-" + owner),
                List.of(new RunningPod.RunningImage("app", image, RunningPod.digestOfImageId(imageId))),
                List.of(),
                "default");
    }

    @Test
    @DisplayName(
            "an image digest is verified once however many Pods run it; the tag is never resolved when the kubelet reported the digest")
    void oneCheckPerDigest() throws Exception {
        List<RunningPod> pods = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pods.add(pod("apps", "web-" + i, "web-5d9c", "r.example.com/app:1.0", "r.example.com/app@" + GOOD));
        }
        Recheck.Scan scan = recheck(new PolicySet(List.of(policy("prod", Mode.Enforce)), List.of()), Exemptions.NONE)
                .scan(pods);

        assertThat(collected).containsExactly(GOOD);
        assertThat(resolves).hasValue(0);
        assertThat(scan.checks()).isEqualTo(1);
        assertThat(scan.pods()).isEqualTo(50);
        assertThat(scan.results()).singleElement().satisfies(r -> {
            assertThat(r.verdict()).isEqualTo(Verdict.pass);
            assertThat(r.workload().toString()).isEqualTo("ReplicaSet/web-5d9c");
            assertThat(r.digest()).isEqualTo(GOOD);
            assertThat(r.pods()).hasSize(Recheck.MAX_PODS_PER_RESULT);
        });
        assertThat(scan.earliestExpiry()).isEqualTo(NOW.plus(Duration.ofDays(3)));
    }

    @Test
    @DisplayName(
            "the digest that runs is judged, not the tag's digest now: a Pod running an unsigned digest fails with the denial's message")
    void runningDigestIsJudged() throws Exception {
        Recheck.Scan scan = recheck(new PolicySet(List.of(policy("prod", Mode.Enforce)), List.of()), Exemptions.NONE)
                .scan(List.of(
                        pod("apps", "old", null, "r.example.com/app:1.0", "docker-pullable://r.example.com/app@" + BAD),
                        pod("apps", "new", null, "r.example.com/app:1.0", "r.example.com/app@" + GOOD)));

        assertThat(scan.results())
                .extracting(r -> r.workload().name() + ":" + r.verdict())
                .containsExactlyInAnyOrder("old:fail", "new:pass");
        RecheckResult failed = scan.results().stream()
                .filter(r -> r.verdict() == Verdict.fail)
                .findFirst()
                .orElseThrow();
        assertThat(failed.message())
                .contains("image r.example.com/app:1.0@" + BAD)
                .contains("is not signed as ClusterTrustPolicy/prod requires")
                .contains("signed by no trusted signer")
                .contains("Fix:");
    }

    @Test
    @DisplayName(
            "Warn policies report warn, Audit policies fail, an exemption turns a failure into skip with its reason, and an image no policy governs is reported skip under no-policy without being checked")
    void modesAndExemptions() throws Exception {
        Policy warn = policy("warn", Mode.Warn);
        Policy audit = policy("audit", Mode.Audit);
        AtomicReference<String> asked = new AtomicReference<>();
        Exemptions hotfix = (ns, image, policy) -> {
            asked.set(ns + " " + image + " " + policy.id());
            return policy.id().name().equals("audit")
                    ? Optional.of(
                            new Exemptions.Exemption("apps", "hotfix", "incident 42", NOW.plus(Duration.ofDays(1))))
                    : Optional.empty();
        };
        Recheck.Scan scan = recheck(new PolicySet(List.of(warn, audit), List.of()), hotfix)
                .scan(List.of(
                        pod("apps", "p", null, "r.example.com/app@" + BAD, null),
                        pod("apps", "q", null, "elsewhere.example.com/app@" + ELSEWHERE, null)));

        assertThat(scan.results())
                .extracting(r -> r.policyName() + ":" + r.verdict())
                .containsExactlyInAnyOrder(
                        "ClusterTrustPolicy/warn:warn", "ClusterTrustPolicy/audit:skip", "no-policy:skip");
        RecheckResult ungoverned = scan.results().stream()
                .filter(r -> r.policy() == null)
                .findFirst()
                .orElseThrow();
        assertThat(ungoverned.workload().name()).isEqualTo("q");
        assertThat(ungoverned.mode()).isNull();
        assertThat(ungoverned.message()).startsWith("no policy governs this image");
        assertThat(collected).as("no network call for the ungoverned image").containsOnly(BAD);
        assertThat(resolves).hasValue(0);
        assertThat(PolicyReports.build(scan).get("apps").path("results").toString())
                .contains("\"policy\":\"no-policy\"")
                .contains("\"result\":\"skip\"");
        assertThat(scan.results().stream()
                        .filter(r -> r.verdict() == Verdict.skip && r.policy() != null)
                        .findFirst()
                        .orElseThrow()
                        .message())
                .isEqualTo("exempted by TrustException apps/hotfix until 2026-12-01T12:00:00Z: incident 42");
        assertThat(asked.get()).startsWith("apps r.example.com/app@" + BAD);
        assertThat(scan.exemptedPods()).containsExactly(Map.entry(new Recheck.ExceptionRef("apps", "hotfix"), 1));
    }

    @Test
    @DisplayName(
            "the Pods relying on an exception are counted once each, however many of their images or workloads it exempts; Pods it does not exempt are not counted")
    void exemptedPodsCounted() throws Exception {
        Policy audit = policy("audit", Mode.Audit);
        Exemptions hotfix = (ns, image, policy) -> image.repository().endsWith("/app")
                ? Optional.of(new Exemptions.Exemption(ns, "hotfix", "incident 42", NOW.plus(Duration.ofDays(1))))
                : Optional.empty();
        List<RunningPod> pods = new ArrayList<>();
        for (int i = 0; i < 7; i++) { // more than MAX_PODS_PER_RESULT: the count is not bounded by the names kept
            pods.add(pod("apps", "web-" + i, "web-5d9c", "r.example.com/app:1.0", "r.example.com/app@" + BAD));
        }
        pods.add(new RunningPod(
                "apps",
                "two-images",
                "uid-two",
                new RunningPod.Workload("v1", "Pod", "two-images", "uid-two"),
                List.of(
                        new RunningPod.RunningImage("a", "r.example.com/app@" + BAD, BAD),
                        new RunningPod.RunningImage("b", "r.example.com/app:2@" + BAD, BAD)),
                List.of(),
                "default"));
        pods.add(pod("apps", "other", null, "r.example.com/other@" + BAD, null));
        pods.add(pod("team-b", "web-0", "web-1", "r.example.com/app:1.0", "r.example.com/app@" + BAD));

        Recheck.Scan scan =
                recheck(new PolicySet(List.of(audit), List.of()), hotfix).scan(pods);

        assertThat(scan.exemptedPods())
                .containsOnly(
                        Map.entry(new Recheck.ExceptionRef("apps", "hotfix"), 8),
                        Map.entry(new Recheck.ExceptionRef("team-b", "hotfix"), 1));
        assertThat(scan.results())
                .filteredOn(r -> r.workload().name().equals("other"))
                .singleElement()
                .extracting(RecheckResult::verdict)
                .isEqualTo(Verdict.fail);
    }

    @Test
    @DisplayName("an image running in a namespace no policy selects is not reported (nothing there is trustgate's)")
    void unselectedNamespaceNotReported() throws Exception {
        Policy tenant = policy(PolicyId.namespaced("apps", "tenant"), Mode.Enforce);
        Recheck.Scan scan = recheck(new PolicySet(List.of(tenant), List.of()), Exemptions.NONE)
                .scan(List.of(
                        pod("kube-system", "dns", null, "elsewhere.example.com/dns@" + BAD, null),
                        pod("apps", "ungoverned", null, "elsewhere.example.com/app@" + BAD, null)));

        assertThat(scan.results())
                .extracting(r -> r.namespace() + "/" + r.workload().name() + ":" + r.policyName())
                .containsExactly("apps/ungoverned:no-policy");
        assertThat(collected).isEmpty();
    }

    @Test
    @DisplayName(
            "the PolicyReport of a namespace: wgpolicyk8s.io/v1alpha2, one result per workload, image and policy, source trustgate, the recheck's time, summary counts")
    void reportShape() throws Exception {
        Recheck.Scan scan = recheck(new PolicySet(List.of(policy("prod", Mode.Enforce)), List.of()), Exemptions.NONE)
                .scan(List.of(
                        pod("apps", "web-1", "web-5d9c", "r.example.com/app:1.0", "r.example.com/app@" + GOOD),
                        pod("apps", "web-2", "web-5d9c", "r.example.com/app:1.0", "r.example.com/app@" + GOOD),
                        pod("apps", "job-x", null, "r.example.com/app:0.9", "r.example.com/app@" + BAD),
                        pod("team-b", "api-1", "api-77", "r.example.com/api:2", "r.example.com/api@" + GOOD)));

        Map<String, ObjectNode> reports = PolicyReports.build(scan);

        assertThat(reports).containsOnlyKeys("apps", "team-b");
        JsonNode apps = reports.get("apps");
        assertThat(apps.path("apiVersion").asText()).isEqualTo("wgpolicyk8s.io/v1alpha2");
        assertThat(apps.path("kind").asText()).isEqualTo("PolicyReport");
        assertThat(apps.at("/metadata/name").asText()).isEqualTo("trustgate");
        assertThat(apps.at("/metadata/namespace").asText()).isEqualTo("apps");
        assertThat(apps.at("/metadata/labels/app.kubernetes.io~1managed-by").asText())
                .isEqualTo("trustgate");
        assertThat(apps.path("summary").toString())
                .isEqualTo("{\"pass\":1,\"fail\":1,\"warn\":0,\"error\":0,\"skip\":0}");
        JsonNode results = apps.path("results");
        assertThat(results).hasSize(2);
        JsonNode fail = results.get(0);
        assertThat(fail.path("result").asText()).as("failures first").isEqualTo("fail");
        assertThat(fail.path("policy").asText()).isEqualTo("ClusterTrustPolicy/prod");
        assertThat(fail.path("source").asText()).isEqualTo("trustgate");
        assertThat(fail.path("message").asText()).contains("is not signed as ClusterTrustPolicy/prod requires");
        assertThat(fail.at("/timestamp/seconds").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(fail.at("/timestamp/nanos").asInt()).isZero();
        assertThat(fail.at("/resources/0/kind").asText()).isEqualTo("Pod");
        assertThat(fail.at("/resources/0/name").asText()).isEqualTo("job-x");
        assertThat(fail.at("/properties/digest").asText()).isEqualTo(BAD);
        JsonNode pass = results.get(1);
        assertThat(pass.path("result").asText()).isEqualTo("pass");
        assertThat(pass.at("/resources/0/kind").asText()).isEqualTo("ReplicaSet");
        assertThat(pass.at("/resources/0/name").asText()).isEqualTo("web-5d9c");
        assertThat(pass.at("/properties/pods").asText()).isEqualTo("web-1,web-2");
        assertThat(pass.has("severity")).isFalse();

        JsonNode empty = PolicyReports.empty("gone");
        assertThat(empty.path("results")).isEmpty();
        assertThat(empty.at("/summary/fail").asInt()).isZero();
        assertThat(Set.copyOf(collected)).containsExactlyInAnyOrder(GOOD, BAD);
    }

    @Test
    @DisplayName("the digest of an imageID: docker-pullable and repo@digest forms count, a bare config id does not")
    void imageIds() {
        assertThat(RunningPod.digestOfImageId("docker-pullable://r.example.com/app@" + GOOD))
                .isEqualTo(GOOD);
        assertThat(RunningPod.digestOfImageId("r.example.com/app@" + GOOD)).isEqualTo(GOOD);
        assertThat(RunningPod.digestOfImageId(GOOD)).isNull();
        assertThat(RunningPod.digestOfImageId("r.example.com/app@sha256:short")).isNull();
        assertThat(RunningPod.digestOfImageId(null)).isNull();
    }
}
