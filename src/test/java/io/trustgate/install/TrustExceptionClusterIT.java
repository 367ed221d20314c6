package io.trustgate.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.trustgate.k8s.crd.ClusterTrustPolicy;
import io.trustgate.k8s.crd.ClusterTrustPolicySpec;
import io.trustgate.k8s.crd.CosignSpec;
import io.trustgate.k8s.crd.ExceptionsSpec;
import io.trustgate.k8s.crd.SignerSpec;
import io.trustgate.k8s.crd.TrustException;
import io.trustgate.k8s.crd.TrustExceptionSpec;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.k8s.crd.TrustPolicySpec;
import io.trustgate.testing.Await;
import io.trustgate.testing.ClusterFixture;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.KubeApiServerPeer;
import io.trustgate.testing.Ports;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import io.trustgate.testing.TrustgateProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * TrustExceptions against a real kube-apiserver, with trustgate installed as the chart installs it (its
 * ServiceAccount's token, so the chart's RBAC is all it may do): the exception's own RBAC is separate from the
 * policies', a Pod is admitted with a warning while an exception with a short expiry applies and denied after, and
 * the expiry is recorded once as an Event on the exception.
 */
class TrustExceptionClusterIT {

    private static final String APPS = "apps";

    @Test
    @DisplayName("an exception granted by the exception editor admits an unsigned image with a warning until it "
            + "expires (seconds later), then the image is denied and one Expired Event is recorded; the policy editor "
            + "cannot grant exceptions and the exception editor cannot write policies")
    void exceptionLifecycle() throws Exception {
        Path base = Files.createTempDirectory("tg-exceptions-");
        int port = Ports.free();
        try (RegistryPeer registry = RegistryPeer.builder("exc-registry").start();
                ClusterFixture cluster = ClusterFixture.start("exc-apiserver", base)
                        .namespaces(APPS)
                        .installChart(port)) {
            KubernetesClient admin = cluster.admin();
            KubeApiServerPeer api = cluster.api();
            TestCa ca = cluster.ca();
            String token = cluster.trustgateToken();
            PushedImage unsigned = ImageFactory.pushRandom(registry, "demo/exc/app", "1.0");
            admin.resources(ClusterTrustPolicy.class).resource(policy(registry)).create();

            // The two editor roles, bound in the apps namespace to two people.
            bind(admin, "grantor", "trustgate-exception-editor");
            bind(admin, "author", "trustgate-policy-editor");
            try (TrustgateProcess trustgate = cluster.startTrustgate(
                            "trustgate-exc", port, Map.of("TRUSTGATE_INSECURE_REGISTRIES", registry.host()));
                    KubernetesClient grantor = as(api, "grantor");
                    KubernetesClient author = as(api, "author")) {
                Await.until(
                        "ClusterTrustPolicy/signed-only Ready",
                        Duration.ofSeconds(60),
                        () -> admin.resources(ClusterTrustPolicy.class)
                                .withName("signed-only")
                                .get()
                                .getStatus(),
                        st -> st != null && ready(st.conditions));
                HttpResponse<String> before = createPod(api, ca, "before", unsigned.reference());
                assertThat(before.statusCode()).as(before.body()).isEqualTo(403);
                assertThat(before.body()).contains("ClusterTrustPolicy/signed-only");

                // RBAC: each role writes its own kind only.
                assertThatThrownBy(() -> author.resources(TrustException.class)
                                .inNamespace(APPS)
                                .resource(exception("by-author", Instant.now().plusSeconds(600)))
                                .create())
                        .isInstanceOfSatisfying(
                                KubernetesClientException.class,
                                e -> assertThat(e.getCode()).isEqualTo(403));
                assertThatThrownBy(() -> grantor.resources(TrustPolicy.class)
                                .inNamespace(APPS)
                                .resource(tenantPolicy())
                                .create())
                        .isInstanceOfSatisfying(
                                KubernetesClientException.class,
                                e -> assertThat(e.getCode()).isEqualTo(403));
                assertThatThrownBy(() -> grantor.resources(ClusterTrustPolicy.class)
                                .withName("signed-only")
                                .edit(p -> {
                                    p.getSpec().exceptions.maxDuration = "30d";
                                    return p;
                                }))
                        .isInstanceOfSatisfying(
                                KubernetesClientException.class,
                                e -> assertThat(e.getCode()).isEqualTo(403));
                assertThat(author.resources(TrustPolicy.class)
                                .inNamespace(APPS)
                                .resource(tenantPolicy())
                                .create())
                        .isNotNull();

                // Invalid: beyond the 30-day cap. Its status says why, and it never applies.
                grantor.resources(TrustException.class)
                        .inNamespace(APPS)
                        .resource(exception("too-long", Instant.now().plus(40, ChronoUnit.DAYS)))
                        .create();
                Condition invalid = awaitReason(admin, "too-long", "Invalid");
                assertThat(invalid.getMessage()).contains("TRUSTGATE_EXCEPTIONS_MAX_DURATION");

                // A short exception: admitted with a warning while it applies.
                Instant expires = Instant.now().plusSeconds(25).truncatedTo(ChronoUnit.SECONDS);
                grantor.resources(TrustException.class)
                        .inNamespace(APPS)
                        .resource(exception("hotfix", expires))
                        .create();
                Condition active = awaitReason(admin, "hotfix", "Active");
                assertThat(active.getStatus()).isEqualTo("True");
                HttpResponse<String> during = createPod(api, ca, "during", unsigned.reference());
                assertThat(during.statusCode()).as(during.body()).isEqualTo(201);
                List<String> warnings = during.headers().allValues("Warning");
                assertThat(String.join("\n", warnings))
                        .contains("not checked against ClusterTrustPolicy/signed-only")
                        .contains("TrustException apps/hotfix")
                        .contains("vendor image, signed by Friday")
                        .contains(expires.toString());

                // After the expiry: the status says Expired, one Event says so, and the image is denied again.
                Condition expired = awaitReason(admin, "hotfix", "Expired");
                assertThat(expired.getStatus()).isEqualTo("False");
                assertThat(admin.resources(TrustException.class)
                                .inNamespace(APPS)
                                .withName("hotfix")
                                .get()
                                .getStatus()
                                .expires)
                        .isEqualTo(expires.toString());
                List<Event> events = Await.until(
                        "the Expired Event of apps/hotfix",
                        Duration.ofSeconds(20),
                        () -> admin.v1().events().inNamespace(APPS).list().getItems().stream()
                                .filter(e -> "hotfix"
                                                .equals(e.getInvolvedObject().getName())
                                        && "TrustException"
                                                .equals(e.getInvolvedObject().getKind()))
                                .toList(),
                        l -> !l.isEmpty());
                assertThat(events).singleElement().satisfies(e -> {
                    assertThat(e.getReason()).isEqualTo("Expired");
                    assertThat(e.getMessage()).contains("apps/hotfix").contains("expired at " + expires);
                });
                HttpResponse<String> after = createPod(api, ca, "after", unsigned.reference());
                assertThat(after.statusCode()).as(after.body()).isEqualTo(403);
                assertThat(after.body()).contains("ClusterTrustPolicy/signed-only");

                // The count the background recheck will maintain: trustgate's own RBAC may write it.
                try (KubernetesClient asTrustgate = api.client(token)) {
                    new io.trustgate.k8s.ExceptionStatus(asTrustgate, java.time.Clock.systemUTC())
                            .setPods(APPS, "hotfix", 3);
                }
                TrustException withPods = admin.resources(TrustException.class)
                        .inNamespace(APPS)
                        .withName("hotfix")
                        .get();
                assertThat(withPods.getStatus().pods).isEqualTo(3);
                assertThat(withPods.getStatus().conditions.get(0).getReason()).isEqualTo("Expired");
                Thread.sleep(2_000); // let a second replica's view (here: the same one's timer) settle
                assertThat(admin.v1().events().inNamespace(APPS).list().getItems().stream()
                                .filter(e ->
                                        "hotfix".equals(e.getInvolvedObject().getName())))
                        .as("the expiry is recorded once")
                        .hasSize(1);
            }
        }
    }

    /** Images of the test registry need a cosign signature nobody made; the policy allows exceptions. */
    private static ClusterTrustPolicy policy(RegistryPeer registry) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        ClusterTrustPolicy ctp = new ClusterTrustPolicy();
        ctp.setMetadata(new ObjectMetaBuilder().withName("signed-only").build());
        ClusterTrustPolicySpec spec = new ClusterTrustPolicySpec();
        spec.images = List.of(registry.host() + "/**");
        spec.cosign = new CosignSpec();
        spec.signedIdentity = TrustPolicySpec.SignedIdentity.matchRepository;
        SignerSpec signer = new SignerSpec();
        signer.name = "release";
        signer.keys = List.of(TestCa.pem(gen.generateKeyPair().getPublic()));
        spec.signers = List.of(signer);
        spec.exceptions = new ExceptionsSpec();
        spec.exceptions.allow = true;
        spec.exceptions.maxDuration = "7d";
        ctp.setSpec(spec);
        return ctp;
    }

    private static TrustPolicy tenantPolicy() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        TrustPolicy tp = new TrustPolicy();
        tp.setMetadata(
                new ObjectMetaBuilder().withName("tenant").withNamespace(APPS).build());
        TrustPolicySpec spec = new TrustPolicySpec();
        spec.images = List.of("other.example.com/**");
        spec.cosign = new CosignSpec();
        SignerSpec signer = new SignerSpec();
        signer.name = "team";
        signer.keys = List.of(TestCa.pem(gen.generateKeyPair().getPublic()));
        spec.signers = List.of(signer);
        tp.setSpec(spec);
        return tp;
    }

    private static TrustException exception(String name, Instant expires) {
        TrustException e = new TrustException();
        e.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(APPS).build());
        TrustExceptionSpec spec = new TrustExceptionSpec();
        spec.images = List.of("**/demo/exc/*");
        spec.policies = List.of("ClusterTrustPolicy/signed-only");
        spec.reason = "vendor image, signed by Friday";
        spec.expires = expires.toString();
        e.setSpec(spec);
        return e;
    }

    private static void bind(KubernetesClient admin, String user, String clusterRole) {
        admin.rbac()
                .roleBindings()
                .inNamespace(APPS)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName(user)
                        .withNamespace(APPS)
                        .endMetadata()
                        .withNewRoleRef()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("ClusterRole")
                        .withName(clusterRole)
                        .endRoleRef()
                        .addNewSubject()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("User")
                        .withName(user)
                        .endSubject()
                        .build())
                .create();
    }

    /** The admin, impersonating {@code user} (the API server's RBAC decides as it would for that user). */
    private static KubernetesClient as(KubeApiServerPeer api, String user) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(api.url())
                .withOauthToken(api.adminToken())
                .withCaCertFile(api.caFile().toString())
                .withImpersonateUsername(user)
                .withRequestTimeout(60_000)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static Condition awaitReason(KubernetesClient admin, String name, String reason) {
        return Await.until(
                "TrustException apps/" + name + " " + reason,
                Duration.ofSeconds(60),
                () -> {
                    TrustException e = admin.resources(TrustException.class)
                            .inNamespace(APPS)
                            .withName(name)
                            .get();
                    return e.getStatus() == null || e.getStatus().conditions.isEmpty()
                            ? null
                            : e.getStatus().conditions.get(0);
                },
                c -> c != null && reason.equals(c.getReason()));
    }

    private static boolean ready(List<Condition> conditions) {
        return conditions != null
                && conditions.stream()
                        .anyMatch(c ->
                                c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    /** Creates a Pod over plain HTTP, as kubectl would, to read the admission warnings the API server relays. */
    private static HttpResponse<String> createPod(KubeApiServerPeer api, TestCa ca, String name, String image)
            throws Exception {
        String body = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"%s"},
                 "spec":{"containers":[{"name":"app","image":"%s"}]}}""".formatted(name, APPS, image);
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.url() + "/api/v1/namespaces/" + APPS + "/pods"))
                .header("Authorization", "Bearer " + api.adminToken())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return ca.httpClient(Duration.ofSeconds(10)).send(request, HttpResponse.BodyHandlers.ofString());
    }
}
