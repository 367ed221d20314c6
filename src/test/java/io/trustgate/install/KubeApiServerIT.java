package io.trustgate.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.trustgate.k8s.PlantedSecrets;
import io.trustgate.notary.CraftedNotaryServer;
import io.trustgate.testing.ChartRenderer;
import io.trustgate.testing.ClusterFixture;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.KubeApiServerPeer;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.Ports;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import io.trustgate.testing.TrustgateProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * trustgate installed as the chart installs it, against a real kube-apiserver (with etcd) on loopback:
 * the CRDs from k8s/crds, and the chart rendered with helm-java (ServiceAccount, least-privilege RBAC,
 * Deployment, Service, PDB and the Validating- and MutatingWebhookConfiguration, whose clientConfig.urls point at the
 * packaged trustgate running here as a process with its ServiceAccount's token). Pods, Deployments and
 * CronJobs are created with the Fabric8 client; nothing runs (there is no kubelet), but creation is
 * what admission decides. One API server and one trustgate for the whole class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeApiServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "trustgate";
    private static final String APPS = "apps";

    private static Path base;
    private static TestCa ca;
    private static RegistryPeer registry;
    private static LookasidePeer lookaside;
    private static GpgPeer gpg;
    private static String alice;
    private static ClusterFixture cluster;
    private static KubeApiServerPeer api;
    private static KubernetesClient admin;
    private static TrustgateProcess trustgate;
    private static PushedImage signed;
    private static PushedImage unsigned;
    /** A registry the outage case stops, with a signed image; the policy "outage" governs it. */
    private static RegistryPeer outageRegistry;

    private static PushedImage outageImage;
    private static Map<String, String> trustgateEnv;
    private static Path kubeconfig;
    private static CraftedNotaryServer notary;

    @BeforeAll
    static void install() throws Exception {
        base = Files.createTempDirectory("tg-kas-");
        registry = RegistryPeer.builder("kas-registry").start();
        lookaside = LookasidePeer.serve("kas-lookaside", base.resolve("lookaside"));
        gpg = GpgPeer.create();
        alice = gpg.generateKey("Alice", "alice@example.test");
        signed = ImageFactory.pushRandom(registry, "demo/e2e/signed", "1.0");
        gpg.signImage(alice, signed.reference(), lookaside.root());
        unsigned = ImageFactory.pushRandom(registry, "demo/e2e/unsigned", "1.0");
        outageRegistry = RegistryPeer.builder("kas-outage-registry").start();
        outageImage = ImageFactory.pushRandom(outageRegistry, "demo/outage/app", "1.0");
        gpg.signImage(alice, outageImage.reference(), lookaside.root());

        // CRDs as `kubectl apply -f k8s/crds/` would, then the chart with the webhook pointing at trustgate on
        // loopback and the test CA as caBundle; trustgate gets its ServiceAccount's token: the chart's RBAC is all
        // it has.
        int port = Ports.free();
        cluster = ClusterFixture.start("kube-apiserver", base).namespaces(APPS).installChart(port);
        api = cluster.api();
        admin = cluster.admin();
        ca = cluster.ca();
        kubeconfig = cluster.trustgateKubeconfig();
        trustgateEnv = cluster.trustgateEnv(Map.of(
                "TRUSTGATE_INSECURE_REGISTRIES",
                registry.host() + "," + outageRegistry.host(),
                // So an UPDATE during the outage case can only pass because it needs no upstream: the tag's
                // digest is forgotten quickly and no earlier verdict is served in its place.
                "TRUSTGATE_CACHE_TAG_TTL",
                "1s",
                "TRUSTGATE_CACHE_STALE_IF_ERROR",
                "0s"));
        trustgate = TrustgateProcess.start("trustgate-kas", ca, port, trustgateEnv);
        // 4. The first policies: images under demo/e2e/ (and demo/outage/ of the second registry) need
        // Alice's GPG signature.
        admin.resource(policyYaml("e2e", "Enforce")).create();
        awaitReady("e2e");
        admin.resource(policyYaml("outage", "Enforce")
                        .replace(registry.host() + "/demo/outage/", outageRegistry.host() + "/demo/outage/"))
                .create();
        awaitReady("outage");
    }

    @AfterAll
    static void uninstall() {
        if (trustgate != null) {
            trustgate.close();
        }
        if (cluster != null) {
            cluster.close(); // the admin client and the API server with its etcd
        }
        if (registry != null) {
            registry.close();
        }
        if (outageRegistry != null) {
            outageRegistry.close();
        }
        if (notary != null) {
            notary.close();
        }
        if (lookaside != null) {
            lookaside.close();
        }
        if (gpg != null) {
            gpg.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName("the API server accepts the CRDs and its schema validation rejects a policy with an invalid mode")
    void invalidModeRejectedBySchema() {
        assertThat(admin.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName("clustertrustpolicies.trustgate.io")
                        .get())
                .isNotNull();
        assertThatThrownBy(() ->
                        admin.resource(policyYaml("bad-mode", "Sometimes")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.mode").contains("Sometimes");
                });
    }

    @Test
    @Order(2)
    @DisplayName(
            "a policy applied with the Fabric8 client is picked up by trustgate's informer and its status shows Ready")
    void policyStatusReady() {
        admin.resource(policyYaml("status-check", "Warn")).create();
        JsonNode ready = awaitReady("status-check");
        assertThat(ready.path("reason").asText()).isEqualTo("Loaded");
        assertThat(ready.path("message").asText()).contains("1 signers");
    }

    @Test
    @Order(3)
    @DisplayName("a Pod with an unsigned image is rejected at create time with trustgate's message")
    void unsignedPodRejected() {
        assertThatThrownBy(() -> createPod(APPS, "unsigned", unsigned.reference()))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage())
                                .contains("admission webhook \"mutate.trustgate.io\" denied the request")
                                .contains(unsigned.reference())
                                .contains(unsigned.digest())
                                .contains("ClusterTrustPolicy/e2e"));
        assertThat(admin.pods().inNamespace(APPS).withName("unsigned").get()).isNull();
    }

    @Test
    @Order(4)
    @DisplayName("a Pod whose images are all signed is created")
    void signedPodCreated() {
        Pod pod = createPod(APPS, "signed", signed.reference(), signed.digestReference());
        assertThat(pod.getMetadata().getUid()).isNotBlank();
    }

    @Test
    @Order(5)
    @DisplayName("a Deployment and a CronJob with an unsigned image are rejected")
    void workloadsRejected() {
        assertThatThrownBy(() -> admin.apps()
                        .deployments()
                        .inNamespace(APPS)
                        .resource(ClusterFixture.deployment("web", podSpec(unsigned.reference())))
                        .create())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage())
                                .contains("mutate.trustgate.io")
                                .contains(unsigned.reference()));
        assertThatThrownBy(() -> admin.batch()
                        .v1()
                        .cronjobs()
                        .inNamespace(APPS)
                        .resource(new CronJobBuilder()
                                .withNewMetadata()
                                .withName("nightly")
                                .endMetadata()
                                .withNewSpec()
                                .withSchedule("0 3 * * *")
                                .withNewJobTemplate()
                                .withNewSpec()
                                .withNewTemplate()
                                .withSpec(new PodSpecBuilder(podSpec(unsigned.reference()))
                                        .withRestartPolicy("OnFailure")
                                        .build())
                                .endTemplate()
                                .endSpec()
                                .endJobTemplate()
                                .endSpec()
                                .build())
                        .create())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage())
                                .contains("mutate.trustgate.io")
                                .contains(unsigned.reference()));
        assertThat(admin.apps().deployments().inNamespace(APPS).withName("web").get())
                .isNull();
        assertThat(admin.batch()
                        .v1()
                        .cronjobs()
                        .inNamespace(APPS)
                        .withName("nightly")
                        .get())
                .isNull();
    }

    @Test
    @Order(5)
    @DisplayName(
            "every other workload kind with an unsigned image is rejected: ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController")
    void otherWorkloadsRejected() {
        PodTemplateSpec template = new PodTemplateSpecBuilder()
                .withNewMetadata()
                .addToLabels("app", "w")
                .endMetadata()
                .withSpec(podSpec(unsigned.reference()))
                .build();
        LabelSelector selector =
                new LabelSelectorBuilder().addToMatchLabels("app", "w").build();
        List<HasMetadata> workloads = List.of(
                new ReplicaSetBuilder()
                        .withNewMetadata()
                        .withName("rs")
                        .endMetadata()
                        .withNewSpec()
                        .withSelector(selector)
                        .withTemplate(template)
                        .endSpec()
                        .build(),
                new StatefulSetBuilder()
                        .withNewMetadata()
                        .withName("sts")
                        .endMetadata()
                        .withNewSpec()
                        .withServiceName("sts")
                        .withSelector(selector)
                        .withTemplate(template)
                        .endSpec()
                        .build(),
                new DaemonSetBuilder()
                        .withNewMetadata()
                        .withName("ds")
                        .endMetadata()
                        .withNewSpec()
                        .withSelector(selector)
                        .withTemplate(template)
                        .endSpec()
                        .build(),
                new JobBuilder()
                        .withNewMetadata()
                        .withName("job")
                        .endMetadata()
                        .withNewSpec()
                        .withTemplate(new PodTemplateSpecBuilder(template)
                                .editSpec()
                                .withRestartPolicy("Never")
                                .endSpec()
                                .build())
                        .endSpec()
                        .build(),
                new ReplicationControllerBuilder()
                        .withNewMetadata()
                        .withName("rc")
                        .endMetadata()
                        .withNewSpec()
                        .addToSelector("app", "w")
                        .withTemplate(template)
                        .endSpec()
                        .build());
        for (HasMetadata workload : workloads) {
            assertThatThrownBy(() -> admin.resource(workload).inNamespace(APPS).create())
                    .as(workload.getKind())
                    .isInstanceOfSatisfying(
                            KubernetesClientException.class,
                            e -> assertThat(e.getMessage())
                                    .contains("mutate.trustgate.io")
                                    .contains(unsigned.reference()));
        }
    }

    @Test
    @Order(6)
    @DisplayName("adding an unsigned ephemeral container to an admitted Pod is rejected")
    void unsignedEphemeralContainerRejected() {
        createPod(APPS, "debug-me", signed.reference());
        assertThatThrownBy(() -> admin.pods()
                        .inNamespace(APPS)
                        .withName("debug-me")
                        .ephemeralContainers()
                        .edit(p -> new PodBuilder(p)
                                .editSpec()
                                .addNewEphemeralContainer()
                                .withName("debugger")
                                .withImage(unsigned.reference())
                                .endEphemeralContainer()
                                .endSpec()
                                .build()))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage())
                                .contains("mutate.trustgate.io")
                                .contains(unsigned.reference()));
        assertThat(admin.pods()
                        .inNamespace(APPS)
                        .withName("debug-me")
                        .get()
                        .getSpec()
                        .getEphemeralContainers())
                .isEmpty();
    }

    @Test
    @Order(7)
    @DisplayName("a namespace labelled trustgate.io/ignore=true and kube-system are not affected")
    void ignoredNamespaces() {
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("sandbox")
                        .addToLabels("trustgate.io/ignore", "true")
                        .endMetadata()
                        .build())
                .create();
        assertThat(createPod("sandbox", "anything", unsigned.reference())
                        .getMetadata()
                        .getUid())
                .isNotBlank();
        assertThat(createPod("kube-system", "system-thing", unsigned.reference())
                        .getMetadata()
                        .getUid())
                .isNotBlank();
    }

    @Test
    @Order(8)
    @DisplayName(
            "helm install and upgrade into the API server: the generated certificate and caBundle are kept across the upgrade")
    void upgradeKeepsGeneratedCertificate() {
        Path kubeconfig = api.writeKubeconfig(base.resolve("admin.kubeconfig"), api.adminToken());
        Helm chart = new Helm(ChartRenderer.CHART);
        // A second release whose webhook ignores failures (its Service has no trustgate behind it), in a
        // namespace the first release's webhook ignores (else it would govern this Deployment's image).
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("keep")
                        .addToLabels("trustgate.io/ignore", "true")
                        .endMetadata()
                        .build())
                .create();
        chart.install()
                .withName("keep")
                .withNamespace("keep")
                .withKubeConfig(kubeconfig)
                .set("webhook.failurePolicy", "Ignore")
                .call();
        try {
            Secret before = admin.secrets()
                    .inNamespace("keep")
                    .withName("keep-trustgate-tls")
                    .get();
            String caBundle = webhookCaBundle("keep-trustgate");
            assertThat(caBundle).isEqualTo(before.getData().get("ca.crt")).isNotEmpty();
            chart.upgrade()
                    .withName("keep")
                    .withNamespace("keep")
                    .withKubeConfig(kubeconfig)
                    .set("webhook.failurePolicy", "Ignore")
                    .set("replicaCount", 2)
                    .call();
            Secret after = admin.secrets()
                    .inNamespace("keep")
                    .withName("keep-trustgate-tls")
                    .get();
            assertThat(after.getData()).isEqualTo(before.getData());
            assertThat(webhookCaBundle("keep-trustgate")).isEqualTo(caBundle);
            assertThat(admin.apps()
                            .deployments()
                            .inNamespace("keep")
                            .withName("keep-trustgate")
                            .get()
                            .getSpec()
                            .getReplicas())
                    .as("the upgrade was applied")
                    .isEqualTo(2);
        } finally {
            Helm.uninstall("keep")
                    .withNamespace("keep")
                    .withKubeConfig(kubeconfig)
                    .call();
        }
        assertThat(admin.admissionRegistration()
                        .v1()
                        .validatingWebhookConfigurations()
                        .withName("keep-trustgate")
                        .get())
                .isNull();
    }

    @Test
    @Order(9)
    @DisplayName("a Pod created by tag is stored in etcd pinned to the verified digest, as name:tag@sha256:...")
    void podStoredPinned() {
        createPod(APPS, "pinned", signed.reference(), signed.digestReference());
        Pod stored = admin.pods().inNamespace(APPS).withName("pinned").get();
        assertThat(stored.getSpec().getContainers())
                .extracting(c -> c.getImage())
                .containsExactly(signed.reference() + "@" + signed.digest(), signed.digestReference());
    }

    @Test
    @Order(12)
    @DisplayName(
            "planted Secret values (bad OpenPGP key, bad PEM key, bad key id, a malformed pull secret with a password) appear in no policy status, log line or metric")
    void noSecretsInStatusLogsOrMetrics() throws Exception {
        admin.secrets()
                .inNamespace(NS)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("planted")
                        .endMetadata()
                        .withStringData(PlantedSecrets.KEYS)
                        .build())
                .create();
        admin.secrets()
                .inNamespace(APPS)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("planted-pull")
                        .endMetadata()
                        .withStringData(Map.of(".dockerconfigjson", PlantedSecrets.BAD_DOCKERCONFIG))
                        .build())
                .create();
        Map<String, String> policyByKey =
                Map.of("pgp.asc", "planted-pgp", "key.pem", "planted-pem", "ids", "planted-ids");
        policyByKey.forEach(
                (key, name) -> admin.resource(keysFromPolicy(name, key)).create());
        for (String name : policyByKey.values()) {
            JsonNode ready = awaitCondition(name, "False");
            assertThat(ready.path("message").asText()).contains("Secret trustgate/planted key \"");
        }
        // the pull secret is read (and found malformed) while the pod's image is resolved
        Pod pod = admin.pods()
                .inNamespace(APPS)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("with-pull-secret")
                        .endMetadata()
                        .withSpec(new PodSpecBuilder(podSpec(signed.reference()))
                                .addNewImagePullSecret("planted-pull")
                                .build())
                        .build())
                .create();
        assertThat(pod.getMetadata().getUid()).isNotBlank();
        String log = Files.readString(trustgate.process().log());
        assertThat(log)
                .as("the malformed pull secret was read and reported by name")
                .contains("pull secret apps/planted-pull: key .dockerconfigjson is not a valid docker config");

        StringBuilder statuses = new StringBuilder();
        for (String name : policyByKey.values()) {
            JsonNode status =
                    JSON.valueToTree(admin.genericKubernetesResources("trustgate.io/v1alpha1", "ClusterTrustPolicy")
                            .withName(name)
                            .get()
                            .getAdditionalProperties()
                            .get("status"));
            statuses.append(status).append('\n');
        }
        String metrics = ca.httpClient(Duration.ofSeconds(5))
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create("https://127.0.0.1:" + trustgate.port() + "/q/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(metrics).contains("trustgate_review_duration_seconds");
        for (String mark : PlantedSecrets.MARKS) {
            assertThat(statuses).as("policy status").doesNotContain(mark).doesNotContain(mark.substring(0, 4));
            assertThat(log).as("trustgate's log").doesNotContain(mark).doesNotContain(mark.substring(0, 4));
            assertThat(metrics).as("/q/metrics").doesNotContain(mark).doesNotContain(mark.substring(0, 4));
        }
        policyByKey
                .values()
                .forEach(name -> admin.genericKubernetesResources("trustgate.io/v1alpha1", "ClusterTrustPolicy")
                        .withName(name)
                        .delete());
    }

    @Test
    @Order(10)
    @DisplayName("a Deployment keeps its tag (no GitOps drift) while a Pod its ReplicaSet would create is pinned")
    void deploymentKeepsTagItsPodIsPinned() {
        admin.apps()
                .deployments()
                .inNamespace(APPS)
                .resource(ClusterFixture.deployment("gitops", podSpec(signed.reference())))
                .create();
        assertThat(admin.apps()
                        .deployments()
                        .inNamespace(APPS)
                        .withName("gitops")
                        .get()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo(signed.reference());
        // No controller-manager runs here: create the Pod as the ReplicaSet controller would, owned by it.
        admin.pods()
                .inNamespace(APPS)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("gitops-7d4b9-x2x9q")
                        .addToLabels("app", "gitops")
                        .addNewOwnerReference()
                        .withApiVersion("apps/v1")
                        .withKind("ReplicaSet")
                        .withName("gitops-7d4b9")
                        .withUid(java.util.UUID.randomUUID().toString())
                        .withController(true)
                        .withBlockOwnerDeletion(true)
                        .endOwnerReference()
                        .endMetadata()
                        .withSpec(podSpec(signed.reference()))
                        .build())
                .create();
        assertThat(admin.pods()
                        .inNamespace(APPS)
                        .withName("gitops-7d4b9-x2x9q")
                        .get()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo(signed.reference() + "@" + signed.digest());
    }

    @Test
    @Order(13)
    @DisplayName(
            "rollback state survives a restart: after version 5 was admitted, a restarted trustgate denies a replayed version 4")
    void rollbackRefusedAfterRestart() {
        PushedImage image = ImageFactory.pushRandom(registry, "demo/rollback/app", "1.0");
        notary = CraftedNotaryServer.start(registry.host() + "/demo/rollback/app", ca);
        Map<String, byte[]> v4 = notary.sign("1.0", image.hex(), 4);
        notary.serve(notary.sign("1.0", image.hex(), 5));
        admin.resource(notaryPolicy("rollback")).create();
        awaitReady("rollback");
        createPod(APPS, "notary-v5", image.reference());
        await(Duration.ofSeconds(30), () -> storedVersion(registry.host() + "/demo/rollback/app", "targets") == 5);

        notary.serve(v4); // validly signed, but older than what was accepted
        trustgate.stop();
        trustgate.startAgain();
        awaitReady("rollback");
        assertThatThrownBy(() -> createPod(APPS, "notary-v4", image.reference()))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage())
                                .contains("mutate.trustgate.io")
                                .contains(image.reference())
                                .contains("rollback"));
        assertThat(admin.pods().inNamespace(APPS).withName("notary-v4").get()).isNull();
    }

    @Test
    @Order(11)
    @DisplayName(
            "while a registry is down, relabelling a Pod and scaling a Deployment still work; a new image from it is denied")
    void updatesWithoutNewImagesNeedNoRegistry() throws Exception {
        createPod(APPS, "outage-pod", outageImage.reference());
        admin.apps()
                .deployments()
                .inNamespace(APPS)
                .resource(new DeploymentBuilder(ClusterFixture.deployment("outage", podSpec(outageImage.reference())))
                        .editSpec()
                        .withReplicas(1)
                        .endSpec()
                        .build())
                .create();
        outageRegistry.close();
        Thread.sleep(1500); // the tag cache (TRUSTGATE_CACHE_TAG_TTL=1s) forgets the digest

        assertThatThrownBy(() -> createPod(APPS, "outage-new", outageImage.reference()))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage()).contains("could not resolve the tag"));
        admin.pods()
                .inNamespace(APPS)
                .withName("outage-pod")
                .edit(p -> new PodBuilder(p)
                        .editMetadata()
                        .addToLabels("tier", "web")
                        .endMetadata()
                        .build());
        assertThat(admin.pods()
                        .inNamespace(APPS)
                        .withName("outage-pod")
                        .get()
                        .getMetadata()
                        .getLabels())
                .containsEntry("tier", "web");
        // An edit of spec.replicas (an UPDATE of the Deployment, which the webhooks see; the scale subresource is not).
        admin.apps()
                .deployments()
                .inNamespace(APPS)
                .withName("outage")
                .edit(d -> new DeploymentBuilder(d)
                        .editSpec()
                        .withReplicas(3)
                        .endSpec()
                        .build());
        assertThat(admin.apps()
                        .deployments()
                        .inNamespace(APPS)
                        .withName("outage")
                        .get()
                        .getSpec()
                        .getReplicas())
                .isEqualTo(3);
        assertThatThrownBy(() -> admin.apps()
                        .deployments()
                        .inNamespace(APPS)
                        .withName("outage")
                        .edit(d -> new DeploymentBuilder(d)
                                .editSpec()
                                .editTemplate()
                                .editSpec()
                                .editFirstContainer()
                                .withImage(outageRegistry.host() + "/demo/outage/app:2.0")
                                .endContainer()
                                .endSpec()
                                .endTemplate()
                                .endSpec()
                                .build()))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage())
                                .contains("mutate.trustgate.io")
                                .contains("could not resolve the tag"));
    }

    @Test
    @Order(90)
    @DisplayName(
            "with TRUSTGATE_PIN=off nothing is rewritten, and signed images are still admitted and unsigned ones denied")
    void pinOff() {
        trustgate.stop();
        Map<String, String> env = new java.util.HashMap<>(trustgateEnv);
        env.put("TRUSTGATE_PIN", "off");
        TrustgateProcess off = TrustgateProcess.start("trustgate-kas-pin-off", ca, trustgate.port(), env);
        try {
            await(Duration.ofSeconds(60), () -> {
                try {
                    createPod(APPS, "unpinned", signed.reference());
                    return true;
                } catch (KubernetesClientException e) {
                    return false; // policies may still be loading from the informers
                }
            });
            assertThat(admin.pods()
                            .inNamespace(APPS)
                            .withName("unpinned")
                            .get()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getImage())
                    .isEqualTo(signed.reference());
            assertThatThrownBy(() -> createPod(APPS, "unpinned-unsigned", unsigned.reference()))
                    .isInstanceOfSatisfying(
                            KubernetesClientException.class,
                            e -> assertThat(e.getMessage())
                                    .contains("denied the request")
                                    .contains(unsigned.digest()));
        } finally {
            off.close();
            trustgate.startAgain();
        }
    }

    @Test
    @Order(14)
    @DisplayName(
            "rollback state is shared: a second trustgate replica that never saw version 5 denies the replayed version 4 too")
    void rollbackStateSharedWithSecondReplica() throws Exception {
        int port = Ports.free();
        try (TrustgateProcess second = TrustgateProcess.start(
                "trustgate-kas-2",
                ca,
                port,
                Map.of(
                        "KUBECONFIG", kubeconfig.toString(),
                        "TRUSTGATE_NAMESPACE", NS,
                        "TRUSTGATE_INSECURE_REGISTRIES", registry.host()))) {
            String review = JSON.writeValueAsString(Map.of(
                    "apiVersion",
                    "admission.k8s.io/v1",
                    "kind",
                    "AdmissionReview",
                    "request",
                    Map.of(
                            "uid",
                            "second-1",
                            "kind",
                            Map.of("group", "", "version", "v1", "kind", "Pod"),
                            "operation",
                            "CREATE",
                            "namespace",
                            APPS,
                            "object",
                            Map.of(
                                    "spec",
                                    Map.of(
                                            "containers",
                                            List.of(Map.of(
                                                    "name",
                                                    "a",
                                                    "image",
                                                    registry.host() + "/demo/rollback/app:1.0")))))));
            JsonNode[] answer = new JsonNode[1];
            await(Duration.ofSeconds(60), () -> {
                try {
                    answer[0] = JSON.readTree(ca.httpClient(Duration.ofSeconds(5))
                                    .send(
                                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                                            "https://127.0.0.1:" + port + "/validate"))
                                                    .header("Content-Type", "application/json")
                                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(review))
                                                    .build(),
                                            java.net.http.HttpResponse.BodyHandlers.ofString())
                                    .body())
                            .path("response");
                } catch (Exception e) {
                    return false;
                }
                // until its informers have the policy, the image is merely ungoverned
                return answer[0].path("status").path("message").asText().contains("ClusterTrustPolicy/rollback");
            });
            assertThat(answer[0].path("allowed").asBoolean(true)).isFalse();
            assertThat(answer[0].path("status").path("message").asText()).contains("rollback");
        }
    }

    @Test
    @Order(100)
    @DisplayName("with trustgate stopped, creation fails closed; it recovers when trustgate is back")
    void failsClosedAndRecovers() {
        trustgate.stop();
        assertThatThrownBy(() -> createPod(APPS, "while-down", signed.reference()))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage()).contains("failed calling webhook \"mutate.trustgate.io\""));
        assertThat(admin.pods().inNamespace(APPS).withName("while-down").get()).isNull();
        trustgate.startAgain();
        await(Duration.ofSeconds(60), () -> {
            try {
                createPod(APPS, "after-restart", signed.reference());
                return true;
            } catch (KubernetesClientException e) {
                return false; // policies may still be loading from the informers
            }
        });
        assertThat(admin.pods().inNamespace(APPS).withName("after-restart").get())
                .isNotNull();
    }

    // ---------------------------------------------------------------- helpers

    private static String webhookCaBundle(String name) {
        return admin.admissionRegistration()
                .v1()
                .validatingWebhookConfigurations()
                .withName(name)
                .get()
                .getWebhooks()
                .get(0)
                .getClientConfig()
                .getCaBundle();
    }

    private static Pod createPod(String namespace, String name, String... images) {
        return admin.pods()
                .inNamespace(namespace)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withSpec(podSpec(images))
                        .build())
                .create();
    }

    private static PodSpec podSpec(String... images) {
        PodSpecBuilder spec = new PodSpecBuilder();
        for (int i = 0; i < images.length; i++) {
            spec.addNewContainer().withName("c" + i).withImage(images[i]).endContainer();
        }
        return spec.build();
    }

    /** A ClusterTrustPolicy governing {@code <registry>/demo/<name>/**}, its spec still to be filled. */
    private static ObjectNode clusterPolicy(String name) {
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", "ClusterTrustPolicy");
        p.putObject("metadata").put("name", name);
        p.putObject("spec").putArray("images").add(registry.host() + "/demo/" + name + "/**");
        return p;
    }

    private static String policyYaml(String name, String mode) {
        ObjectNode p = clusterPolicy(name);
        ObjectNode spec = (ObjectNode) p.get("spec");
        spec.put("mode", mode);
        spec.put("lookaside", lookaside.baseUrl());
        ArrayNode signers = spec.putArray("signers");
        signers.addObject().put("name", "alice").putArray("keys").add(gpg.exportPublic(alice));
        spec.put("minSignatures", 1);
        return p.toString();
    }

    /** A policy whose one signer's keys come from {@code key} of the Secret {@code planted}. */
    private static String keysFromPolicy(String name, String key) {
        ObjectNode p = clusterPolicy(name);
        ObjectNode spec = (ObjectNode) p.get("spec");
        spec.put("lookaside", lookaside.baseUrl());
        ObjectNode n = spec.putObject("notary");
        n.put("server", "https://127.0.0.1:1");
        n.putArray("rootKeys").add("ab".repeat(32));
        spec.putArray("signers")
                .addObject()
                .put("name", "team")
                .putObject("keysFrom")
                .putObject("secretKeyRef")
                .put("name", "planted")
                .put("key", key);
        return p.toString();
    }

    /** A policy on crafted Notary trust data: the targets key signs, the root key is pinned. */
    private static String notaryPolicy(String name) {
        ObjectNode p = clusterPolicy(name);
        ObjectNode spec = (ObjectNode) p.get("spec");
        ObjectNode n = spec.putObject("notary");
        n.put("server", notary.url());
        try {
            n.put("caBundle", Files.readString(ca.certPem()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        n.putArray("rootKeys").add(notary.rootKeyPem());
        spec.putArray("signers")
                .addObject()
                .put("name", "releases")
                .putArray("keys")
                .add(notary.targetsKeyPem());
        return p.toString();
    }

    /** The version of {@code role} of {@code gun} in the shared rollback-state ConfigMap, or -1. */
    private static long storedVersion(String gun, String role) {
        var cm = admin.configMaps()
                .inNamespace(NS)
                .withName("trustgate-notary-versions")
                .get();
        if (cm == null || cm.getData() == null) {
            return -1;
        }
        for (String json : cm.getData().values()) {
            var entry = io.trustgate.notary.VersionEntry.fromJson(json);
            if (entry.isPresent() && entry.get().gun().equals(gun)) {
                return entry.get().versions().getOrDefault(role, -1L);
            }
        }
        return -1;
    }

    /** Waits for the policy's Ready condition to be True and returns it. */
    private static JsonNode awaitReady(String name) {
        return awaitCondition(name, "True");
    }

    /** Waits for the policy's Ready condition to have {@code wanted} status and returns it. */
    private static JsonNode awaitCondition(String name, String wanted) {
        JsonNode[] found = new JsonNode[1];
        await(Duration.ofSeconds(60), () -> {
            GenericKubernetesResource r = admin.genericKubernetesResources(
                            "trustgate.io/v1alpha1", "ClusterTrustPolicy")
                    .withName(name)
                    .get();
            JsonNode status = JSON.valueToTree(r.getAdditionalProperties().get("status"));
            for (JsonNode c : status.path("conditions")) {
                if (c.path("type").asText().equals("Ready")
                        && c.path("status").asText().equals(wanted)) {
                    found[0] = c;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
        throw new AssertionError("condition not met within " + timeout + "; trustgate log:\n"
                + (trustgate != null && trustgate.process() != null
                        ? trustgate.process().tail()
                        : "(not started)"));
    }
}
