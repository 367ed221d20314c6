package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.k8s.crd.ClusterTrustPolicy;
import io.trustgate.k8s.crd.ClusterTrustPolicySpec;
import io.trustgate.k8s.crd.SignerSpec;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicySet;
import io.trustgate.runtime.VerifierStack;
import io.trustgate.testing.ClusterFixture;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.transport.TransportOptions;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Cluster mode, against a real kube-apiserver: a key replaced in the Secret a ClusterTrustPolicy's keysFrom names
 * changes the next verdict without any edit of the policy (issue 9, part 2), through the informers trustgate runs.
 */
class KeyRotationClusterIT {

    private static final String NS = "trustgate";

    @Test
    @DisplayName("replacing the key in a keysFrom Secret changes the next verdict; removing it makes the policy deny")
    void secretRotation() throws Exception {
        Path base = Files.createTempDirectory("tg-key-rotation-");
        Vertx vertx = Vertx.vertx();
        try (GpgPeer gpg = GpgPeer.create();
                RegistryPeer registry =
                        RegistryPeer.builder("rotation-registry").start();
                LookasidePeer lookaside = LookasidePeer.serve("rotation-lookaside", base.resolve("lookaside"));
                ClusterFixture cluster = ClusterFixture.start("rotation-apiserver", base)) {
            KubernetesClient admin = cluster.admin();
            String alice = gpg.generateKey("Alice", "alice@example.test");
            String bob = gpg.generateKey("Bob", "bob@example.test");
            PushedImage image = ImageFactory.pushRandom(registry, "demo/rotation/app", "1.0");
            gpg.signImage(alice, image.reference(), lookaside.root());

            admin.secrets()
                    .inNamespace(NS)
                    .resource(keySecret(gpg.exportPublic(alice)))
                    .create();
            ClusterTrustPolicy ctp = new ClusterTrustPolicy();
            ctp.setMetadata(new ObjectMetaBuilder().withName("rotation").build());
            ClusterTrustPolicySpec spec = new ClusterTrustPolicySpec();
            spec.images = List.of(registry.host() + "/**");
            spec.lookaside = lookaside.baseUrl();
            SignerSpec signer = new SignerSpec();
            signer.name = "release";
            signer.keysFrom = new SignerSpec.KeysFrom();
            signer.keysFrom.secretKeyRef = new SignerSpec.SecretKeyRef();
            signer.keysFrom.secretKeyRef.name = "release-keys";
            signer.keysFrom.secretKeyRef.key = "pubring.asc";
            spec.signers = List.of(signer);
            ctp.setSpec(spec);
            admin.resources(ClusterTrustPolicy.class).resource(ctp).create();

            AtomicReference<PolicySet> published = new AtomicReference<>(PolicySet.EMPTY);
            TransportOptions options =
                    io.trustgate.config.TrustgateSettings.defaults().transport().withInsecureHosts(registry.host());
            try (ClusterPolicySource source = new ClusterPolicySource(
                            admin, NS, VerifierStack.keyCheck(), published::set, Clock.systemUTC());
                    VerifierStack stack = VerifierStack.create(
                            vertx,
                            new VerifierStack.Settings(
                                    options,
                                    io.trustgate.config.TrustgateSettings.defaults()
                                            .cache(),
                                    Clock.systemUTC(),
                                    Duration.ofDays(7),
                                    VerifierStack.Hooks.NONE))) {
                source.start();
                Policy first = await(published, set -> !set.policies().isEmpty())
                        .policies()
                        .get(0);
                AdmissionHandler handler = AdmissionHandler.builder(
                                published::get,
                                stack.verifier(),
                                io.trustgate.config.TrustgateSettings.defaults().deadline())
                        .namespaces(source)
                        .build();
                assertThat(validate(handler, image.reference()).allowed()).isTrue();

                // Bob's key replaces Alice's. (The policy's resourceVersion may move once here: trustgate's own
                // status write after the first compile.)
                Policy bob1 = rotate(admin, published, first, gpg.exportPublic(bob));
                assertThat(validate(handler, image.reference()).allowed())
                        .as("Alice's key was replaced")
                        .isFalse();
                Policy alice2 = rotate(admin, published, bob1, gpg.exportPublic(alice));
                assertThat(validate(handler, image.reference()).allowed()).isTrue();
                // From here the policy object is untouched: only the key fingerprint tells the verdicts apart.
                Policy bob3 = rotate(admin, published, alice2, gpg.exportPublic(bob));
                assertThat(bob3.resourceVersion())
                        .as("the policy was not edited")
                        .isEqualTo(alice2.resourceVersion());
                AdmissionHandler.Decision denied = validate(handler, image.reference());
                assertThat(denied.allowed())
                        .as("the admitted verdict of a moment ago (5-minute TTL) is not reused")
                        .isFalse();
                assertThat(denied.message()).contains("signed by no trusted signer");

                admin.secrets().inNamespace(NS).withName("release-keys").delete();
                await(
                        published,
                        set -> set.policies().isEmpty() && !set.broken().isEmpty());
                AdmissionHandler.Decision removed = validate(handler, image.reference());
                assertThat(removed.allowed()).isFalse();
                assertThat(removed.message())
                        .contains("ClusterTrustPolicy/rotation, which failed to load")
                        .contains("release-keys");
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Replaces the key in the Secret and waits until a policy compiled with it is published. */
    private static Policy rotate(
            KubernetesClient admin, AtomicReference<PolicySet> published, Policy before, String armoured)
            throws InterruptedException {
        admin.secrets().inNamespace(NS).resource(keySecret(armoured)).update();
        return await(
                        published,
                        set -> !set.policies().isEmpty()
                                && !set.policies().get(0).keyFingerprint().equals(before.keyFingerprint()))
                .policies()
                .get(0);
    }

    private static Secret keySecret(String armoured) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName("release-keys")
                .withNamespace(NS)
                .endMetadata()
                .withStringData(Map.of("pubring.asc", armoured))
                .build();
    }

    private static PolicySet await(AtomicReference<PolicySet> published, Predicate<PolicySet> condition)
            throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            PolicySet set = published.get();
            if (condition.test(set)) {
                return set;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not published within 30 s; last: " + published.get());
    }

    private static AdmissionHandler.Decision validate(AdmissionHandler handler, String image) throws Exception {
        var review = new ObjectMapper().readTree("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"apps",
                 "object":{"spec":{"containers":[{"name":"a","image":"%s"}]}}}}""".formatted(image));
        return handler.decide(review).get(30, TimeUnit.SECONDS);
    }
}
