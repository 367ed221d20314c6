package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.trustgate.k8s.crd.ClusterTrustPolicy;
import io.trustgate.k8s.crd.ClusterTrustPolicySpec;
import io.trustgate.k8s.crd.SignerSpec;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.k8s.crd.TrustPolicySpec;
import io.trustgate.policy.PolicySet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The informer glue, against Fabric8's mock API server (the real API server is exercised by the cluster suite). */
@EnableKubernetesMockClient(crud = true)
class ClusterPolicySourceTest {

    private static final String KEY_ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    KubernetesClient client;

    private final AtomicReference<PolicySet> published = new AtomicReference<>();
    private ClusterPolicySource source;

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
    }

    private ClusterPolicySource start() {
        source = new ClusterPolicySource(
                client, "trustgate", PolicyCompiler.KeyCheck.STRUCTURAL, published::set, Clock.systemUTC());
        source.start();
        return source;
    }

    private static ClusterTrustPolicy cluster(String name, int min, SignerSpec... signers) {
        ClusterTrustPolicy p = new ClusterTrustPolicy();
        p.setMetadata(new ObjectMetaBuilder().withName(name).build());
        ClusterTrustPolicySpec spec = new ClusterTrustPolicySpec();
        spec.images = List.of("r.example.com/" + name + "/**");
        spec.notary = new io.trustgate.k8s.crd.NotarySpec();
        spec.notary.server = "https://notary.example.com";
        spec.notary.rootKeys = List.of(KEY_ID);
        spec.signers = List.of(signers);
        spec.minSignatures = min;
        p.setSpec(spec);
        return p;
    }

    private static SignerSpec signer(String name) {
        SignerSpec s = new SignerSpec();
        s.name = name;
        s.keys = List.of(KEY_ID);
        return s;
    }

    private void await(Predicate<PolicySet> condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            PolicySet set = published.get();
            if (set != null && condition.test(set)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("condition not reached; last published: " + published.get());
    }

    @Test
    @DisplayName("a policy created in the cluster is compiled, published and marked Ready")
    void createdPolicyIsReady() throws Exception {
        start();
        client.resources(ClusterTrustPolicy.class)
                .resource(cluster("prod", 1, signer("alice")))
                .create();
        await(set -> set.policies().size() == 1);
        await(set -> {
            ClusterTrustPolicy p =
                    client.resources(ClusterTrustPolicy.class).withName("prod").get();
            return p.getStatus() != null
                    && p.getStatus().conditions.stream()
                            .anyMatch(c ->
                                    c.getType().equals("Ready") && c.getStatus().equals("True"));
        });
    }

    @Test
    @DisplayName("a policy relying on Docker Hub's Notary stays Ready with a note of its retirement: the date"
            + " before 2026-12-08, the denial's text after")
    void dockerHubNotaryNote() throws Exception {
        io.trustgate.testing.MutableClock clock =
                io.trustgate.testing.MutableClock.at(java.time.Instant.parse("2026-11-30T21:00:00Z"));
        source =
                new ClusterPolicySource(client, "trustgate", PolicyCompiler.KeyCheck.STRUCTURAL, published::set, clock);
        source.start();
        ClusterTrustPolicy hub = cluster("hub", 1, signer("alice"));
        hub.getSpec().images = List.of("docker.io/library/**");
        hub.getSpec().notary.server = null;
        client.resources(ClusterTrustPolicy.class).resource(hub).create();
        awaitReady(
                "hub",
                "True",
                "rely on Docker Hub's Notary (notary.docker.io) for docker.io images, which is"
                        + " retired on 2026-12-08; see docs/migrating-from-dct.md");

        clock.set(java.time.Instant.parse("2026-12-08T00:00:00Z"));
        source.recompile();
        awaitReady(
                "hub",
                "True",
                "Docker Hub's Notary (notary.docker.io) was retired on 2026-12-08 with Docker"
                        + " Content Trust; sign with cosign or Notation, or point notary.server at a Notary you run; see"
                        + " docs/migrating-from-dct.md (the images that relied on it are denied under the policy's mode)");
        assertThat(published.get().policies()).hasSize(1);
        assertThat(published.get().broken()).isEmpty();
    }

    private void awaitReady(String name, String status, String messagePart) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String last = null;
        while (System.nanoTime() < end) {
            ClusterTrustPolicy p =
                    client.resources(ClusterTrustPolicy.class).withName(name).get();
            if (p != null && p.getStatus() != null) {
                for (var c : p.getStatus().conditions) {
                    last = c.getMessage();
                    if (c.getType().equals("Ready") && c.getStatus().equals(status) && last.contains(messagePart)) {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("Ready " + status + " with \"" + messagePart + "\" not reached; last: " + last);
    }

    @Test
    @DisplayName("a broken policy is published as broken and its status says why")
    void brokenPolicyStatus() throws Exception {
        start();
        client.resources(ClusterTrustPolicy.class)
                .resource(cluster("broken", 3, signer("alice")))
                .create();
        await(set -> set.broken().size() == 1);
        assertThat(published.get().broken().get(0).error()).contains("minSignatures is 3");
        await(set -> {
            ClusterTrustPolicy p = client.resources(ClusterTrustPolicy.class)
                    .withName("broken")
                    .get();
            return p.getStatus() != null
                    && p.getStatus().conditions.stream()
                            .anyMatch(c -> c.getStatus().equals("False")
                                    && c.getMessage().contains("minSignatures is 3"));
        });
    }

    @Test
    @DisplayName(
            "keysFrom reads the Secret in trustgate's namespace, a rotated key applies at once, and edits republish")
    void keysFromAndEdits() throws Exception {
        client.secrets()
                .inNamespace("trustgate")
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("keys")
                        .withNamespace("trustgate")
                        .endMetadata()
                        .withStringData(Map.of("ids", KEY_ID + "\n"))
                        .build())
                .create();
        start();
        SignerSpec fromSecret = new SignerSpec();
        fromSecret.name = "team";
        fromSecret.keysFrom = new SignerSpec.KeysFrom();
        fromSecret.keysFrom.secretKeyRef = new SignerSpec.SecretKeyRef();
        fromSecret.keysFrom.secretKeyRef.name = "keys";
        fromSecret.keysFrom.secretKeyRef.key = "ids";
        client.resources(ClusterTrustPolicy.class)
                .resource(cluster("from-secret", 1, fromSecret))
                .create();
        await(set -> set.policies().size() == 1);
        assertThat(published.get().policies().get(0).signers().get(0).keys()).containsExactly(KEY_ID);

        String rotated = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
        client.secrets().inNamespace("trustgate").withName("keys").edit(s -> {
            s.setStringData(null);
            s.setData(Map.of(
                    "ids",
                    java.util.Base64.getEncoder()
                            .encodeToString(rotated.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            return s;
        });
        await(set -> set.policies().size() == 1
                && set.policies().get(0).signers().get(0).keys().equals(List.of(rotated)));

        TrustPolicy tp = new TrustPolicy();
        tp.setMetadata(new ObjectMetaBuilder()
                .withName("team-policy")
                .withNamespace("team")
                .build());
        TrustPolicySpec spec = new TrustPolicySpec();
        spec.images = List.of("r.example.com/team/**");
        spec.notary = cluster("x", 1, signer("a")).getSpec().notary;
        spec.signers = List.of(signer("bob"));
        tp.setSpec(spec);
        client.resources(TrustPolicy.class).inNamespace("team").resource(tp).create();
        await(set -> set.policies().size() == 2);

        client.resources(ClusterTrustPolicy.class).withName("from-secret").delete();
        await(set -> set.policies().size() == 1
                && set.policies().get(0).id().toString().equals("TrustPolicy team/team-policy"));
    }

    @Test
    @DisplayName("namespace labels come from the Namespace informer")
    void namespaceLabels() throws Exception {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("shop")
                        .withLabels(Map.of("env", "prod"))
                        .endMetadata()
                        .build())
                .create();
        start();
        assertThat(source.of("shop")).containsEntry("env", "prod");
        assertThat(source.of("unknown")).containsEntry("kubernetes.io/metadata.name", "unknown");
    }
}
