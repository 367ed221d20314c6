package io.trustgate.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.trustgate.testing.Await;
import io.trustgate.testing.ChartRenderer;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.NodeCluster;
import io.trustgate.testing.Proc;
import io.trustgate.testing.TestCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * trustgate's own image ({@code make image}, target/trustgate-image.tar) installed by its own chart with
 * helm-java into a {@link NodeCluster}: a real kubelet pulls and runs what trustgate admitted. Skipped (with the
 * reason) where a node cannot run: not root, or containerd/runc/CNI or the Kubernetes binaries missing. Where it
 * can, a missing image tar fails: {@code make e2e} builds it first.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeE2EIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path IMAGE_TAR = Path.of("target/trustgate-image.tar").toAbsolutePath();
    private static final String NS = "trustgate";
    private static final String RELEASE = "trustgate";
    private static final String APPS = "apps";
    private static final String IGNORED = "not-governed";
    private static final Duration POD_RUNNING = Duration.ofMinutes(2);
    /** The chart's memory limit (Chart/values.yaml resources.limits.memory). */
    private static final long MEMORY_LIMIT = 512L << 20;

    private static Path base;
    private static NodeCluster node;
    private static KubernetesClient admin;
    private static LookasidePeer lookaside;
    private static GpgPeer gpg;
    private static String alice;
    private static PushedImage signed;
    private static PushedImage unsigned;
    private static PushedImage moving;
    private static Path kubeconfig;
    private static Instant installStarted;
    private static final List<String> FIGURES = new ArrayList<>();

    @BeforeAll
    static void install() throws Exception {
        Optional<String> why = NodeCluster.unavailable();
        Assumptions.assumeTrue(why.isEmpty(), () -> "no node here: " + why.orElse(""));
        assertThat(IMAGE_TAR)
                .as("trustgate's image: run make image (make e2e does) before this suite")
                .exists();
        base = Files.createTempDirectory("tg-node-");
        TestCa ca = TestCa.create(base.resolve("ca"));
        long started = System.nanoTime();
        node = NodeCluster.start("node", ca);
        FIGURES.add("node cluster started (etcd, API server, controller-manager, scheduler, containerd, kubelet"
                + " Ready) in " + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s");
        admin = node.admin();
        String registry = node.registry().host();
        String tag = imageTag();
        Proc.cmd(
                        "skopeo",
                        "--insecure-policy",
                        "copy",
                        "--quiet",
                        "--dest-tls-verify=false",
                        "docker-archive:" + IMAGE_TAR,
                        "docker://" + registry + "/trustgate/trustgate:" + tag)
                .timeout(Duration.ofMinutes(5))
                .run();

        lookaside = LookasidePeer.serve("node-lookaside", base.resolve("lookaside"));
        gpg = GpgPeer.create();
        alice = gpg.generateKey("Alice", "alice@example.test");
        signed = node.pushRunnable("demo/e2e/signed", "1.0");
        gpg.signImage(alice, signed.reference(), lookaside.root());
        moving = node.pushRunnable("demo/e2e/moving", "1.0");
        gpg.signImage(alice, moving.reference(), lookaside.root());
        unsigned = node.pushRunnable("demo/e2e/unsigned", "1.0");

        for (String ns : List.of(APPS, IGNORED)) {
            admin.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .addToLabels(ns.equals(IGNORED) ? Map.of("trustgate.io/ignore", "true") : Map.of())
                            .endMetadata()
                            .build())
                    .create();
        }
        for (String ns : List.of(APPS, IGNORED)) {
            Await.until(
                    "ServiceAccount " + ns + "/default",
                    Duration.ofMinutes(1),
                    () -> admin.serviceAccounts()
                                    .inNamespace(ns)
                                    .withName("default")
                                    .get()
                            != null);
        }

        // helm install from the chart folder, as a user would, with the image from the node's registry.
        kubeconfig = node.api()
                .writeKubeconfig(base.resolve("admin.kubeconfig"), node.api().adminToken());
        Path values = base.resolve("values.yaml");
        Files.writeString(values, """
                replicaCount: 2
                image:
                  repository: %s/trustgate/trustgate
                  tag: "%s"
                config:
                  insecureRegistries: ["%s"]
                # No kube-proxy runs: the API server's cluster IP leads nowhere, so trustgate is told where it is
                # (the node address, NAT'ed to the API server on loopback).
                extraEnv:
                  - {name: KUBERNETES_SERVICE_HOST, value: "%s"}
                  - {name: KUBERNETES_SERVICE_PORT, value: "%d"}
                """.formatted(
                        registry, tag, registry, NodeCluster.NODE_IP, node.api().port()));
        installStarted = Instant.now();
        new Helm(ChartRenderer.CHART)
                .install()
                .withName(RELEASE)
                .withNamespace(NS)
                .createNamespace()
                .withKubeConfig(kubeconfig)
                .withValuesFile(values)
                .call();
    }

    @AfterAll
    static void teardown() throws IOException {
        try {
            if (!FIGURES.isEmpty()) {
                String text = String.join("\n", FIGURES) + "\n";
                System.out.println("NodeE2EIT figures:\n" + text);
                Files.writeString(Path.of("target/node-e2e-figures.txt"), text);
            }
        } finally {
            if (admin != null) {
                admin.close();
            }
            if (lookaside != null) {
                lookaside.close();
            }
            if (gpg != null) {
                gpg.close();
            }
            if (node != null) {
                node.close();
                assertThat(node.leftovers())
                        .as("the node's processes, mounts, interfaces, NAT chain and cgroups are gone")
                        .isEmpty();
            }
        }
    }

    @Test
    @Order(1)
    @DisplayName("the chart's Deployment becomes Available from trustgate's own image, ready through the Service,"
            + " and both webhook configurations call that Service")
    void installedAndAvailable() {
        awaitTrustgateAvailable(2);
        FIGURES.add("helm install to Deployment Available (2 replicas): "
                + Duration.between(installStarted, Instant.now()).toSeconds() + " s");
        EndpointSlice slice = Await.until(
                        "ready endpoints behind Service " + RELEASE,
                        Duration.ofMinutes(1),
                        () -> admin.discovery()
                                .v1()
                                .endpointSlices()
                                .inNamespace(NS)
                                .withLabel("kubernetes.io/service-name", RELEASE)
                                .list()
                                .getItems(),
                        l -> l.stream().mapToLong(NodeE2EIT::readyEndpoints).sum() == 2)
                .get(0);
        assertThat(slice.getPorts()).extracting(p -> p.getPort()).contains(8443);
        ValidatingWebhookConfiguration validating = admin.admissionRegistration()
                .v1()
                .validatingWebhookConfigurations()
                .withName(RELEASE)
                .get();
        MutatingWebhookConfiguration mutating = admin.admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName(RELEASE)
                .get();
        assertThat(validating.getWebhooks()).allSatisfy(w -> {
            assertThat(w.getClientConfig().getService().getName()).isEqualTo(RELEASE);
            assertThat(w.getClientConfig().getService().getNamespace()).isEqualTo(NS);
            assertThat(w.getClientConfig().getCaBundle()).isNotBlank();
            assertThat(w.getFailurePolicy()).isEqualTo("Fail");
        });
        assertThat(mutating.getWebhooks()).allSatisfy(w -> {
            assertThat(w.getClientConfig().getService().getName()).isEqualTo(RELEASE);
            assertThat(w.getClientConfig().getService().getNamespace()).isEqualTo(NS);
        });
        // The trustgate containers run the image pushed from target/trustgate-image.tar.
        assertThat(trustgatePods())
                .allSatisfy(p -> assertThat(
                                p.getStatus().getContainerStatuses().get(0).getImage())
                        .startsWith(node.registry().host() + "/trustgate/trustgate:"));
        admin.resource(policy("e2e")).create();
        awaitPolicyReady("e2e");
        // Ready is one replica's word; each replica's informer loads the policy on its own. A run of dry-run
        // creations admitted in a row (the API server picks an endpoint per call) shows both have it.
        int[] admittedInARow = {0};
        Await.until("10 dry-run Pods with the signed image admitted in a row", Duration.ofMinutes(1), () -> {
            try {
                admin.pods()
                        .inNamespace(APPS)
                        .resource(pod("dry-run", signed.reference()))
                        .dryRun()
                        .create();
                admittedInARow[0]++;
            } catch (KubernetesClientException e) {
                admittedInARow[0] = 0;
            }
            return admittedInARow[0] >= 10;
        });
    }

    @Test
    @Order(2)
    @DisplayName("a Deployment by tag with a signed image runs, and the kubelet reports the digest trustgate pinned")
    void signedDeploymentRunsThePinnedDigest() {
        createDeployment("signed", signed.reference(), 1);
        Pod pod = awaitRunning("signed", 1).get(0);
        FIGURES.add("helm install to the first admitted Pod Running: "
                + Duration.between(installStarted, Instant.now()).toSeconds() + " s");
        assertThat(pod.getSpec().getContainers().get(0).getImage())
                .as("the mutating webhook pinned the Pod")
                .isEqualTo(signed.reference() + "@" + signed.digest());
        ContainerStatus status = pod.getStatus().getContainerStatuses().get(0);
        assertThat(status.getImageID()).as("what the kubelet pulled and runs").endsWith("@" + signed.digest());
    }

    @Test
    @Order(3)
    @DisplayName("the tag moved to an unsigned image after admission: a new replica is denied or runs the pinned"
            + " signed digest, never the unsigned one")
    void movedTagNeverRunsUnsigned() {
        createDeployment("moving", moving.reference(), 1);
        awaitRunning("moving", 1);
        PushedImage replaced = node.pushRunnable("demo/e2e/moving", "1.0"); // same tag, a new unsigned image
        assertThat(replaced.digest()).isNotEqualTo(moving.digest());
        admin.apps().deployments().inNamespace(APPS).withName("moving").scale(2);
        // Either the ReplicaSet's Pod is denied (the tag now names an unsigned image), or it was admitted on a
        // verdict still cached for the signed digest and pinned to it.
        String outcome = Await.until(
                "a second replica of moving denied or running",
                POD_RUNNING,
                () -> {
                    List<Pod> pods = podsOf("moving");
                    long running = pods.stream().filter(NodeE2EIT::running).count();
                    if (running == 2) {
                        return "running";
                    }
                    return replicaSetEvents("moving").stream()
                                    .anyMatch(e -> e.getMessage().contains(replaced.digest()))
                            ? "denied"
                            : "waiting";
                },
                o -> !o.equals("waiting"));
        for (Pod p : podsOf("moving")) {
            assertThat(p.getSpec().getContainers().get(0).getImage()).endsWith("@" + moving.digest());
            if (p.getStatus().getContainerStatuses() != null) {
                for (ContainerStatus s : p.getStatus().getContainerStatuses()) {
                    if (s.getImageID() != null && !s.getImageID().isEmpty()) {
                        assertThat(s.getImageID())
                                .endsWith("@" + moving.digest())
                                .doesNotContain(replaced.hex());
                    }
                }
            }
        }
        if (outcome.equals("denied")) {
            Event denial = replicaSetEvents("moving").stream()
                    .filter(e -> e.getMessage().contains(replaced.digest()))
                    .findFirst()
                    .orElseThrow();
            assertThat(denial.getReason()).isEqualTo("FailedCreate");
            assertThat(denial.getMessage()).contains("trustgate.io").contains("demo/e2e/moving");
        }
        FIGURES.add("moved tag, scale-up: " + outcome);
    }

    @Test
    @Order(4)
    @DisplayName("an unsigned image: no Pod, and the denial names the image and what is missing")
    void unsignedImageNoPod() {
        assertThatThrownBy(() -> createDeployment("unsigned", unsigned.reference(), 1))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage())
                                .contains("trustgate.io")
                                .contains(unsigned.reference())
                                .contains(unsigned.digest())
                                .contains("alice"));
        assertThat(podsOf("unsigned")).isEmpty();
    }

    @Test
    @Order(5)
    @DisplayName("trustgate's Pods evicted one at a time through the eviction API (PodDisruptionBudget allows"
            + " one): admission keeps working while a replica is missing")
    void evictionsKeepAdmission() {
        PodDisruptionBudget pdb = admin.policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(NS)
                .withName(RELEASE)
                .get();
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        for (int round = 0; round < 2; round++) {
            awaitTrustgateAvailable(2);
            Await.until(
                    "the PodDisruptionBudget allows one disruption",
                    Duration.ofMinutes(1),
                    () -> Optional.ofNullable(admin.policy()
                                            .v1()
                                            .podDisruptionBudget()
                                            .inNamespace(NS)
                                            .withName(RELEASE)
                                            .get()
                                            .getStatus())
                                    .map(s -> s.getDisruptionsAllowed())
                                    .orElse(0)
                            == 1);
            List<Pod> pods = trustgatePods();
            Pod victim = pods.get(0);
            assertThat(admin.pods()
                            .inNamespace(NS)
                            .withName(victim.getMetadata().getName())
                            .evict())
                    .as("the first eviction is allowed")
                    .isTrue();
            // Admission while the evicted replica no longer serves: it is out of the Service's ready endpoints.
            String victimIp = victim.getStatus().getPodIP();
            Await.until(
                    "evicted " + victim.getMetadata().getName() + " out of the ready endpoints",
                    Duration.ofMinutes(1),
                    () -> readyAddresses().stream().noneMatch(victimIp::equals));
            String name = "during-eviction-" + round;
            createPod(APPS, name, signed.reference());
            assertThat(admin.pods()
                            .inNamespace(APPS)
                            .withName(name)
                            .get()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getImage())
                    .isEqualTo(signed.reference() + "@" + signed.digest());
        }
        awaitTrustgateAvailable(2);
    }

    @Test
    @Order(6)
    @DisplayName("every trustgate Pod gone: creation fails closed, and recovers when they return")
    void allGoneFailsClosedAndRecovers() {
        admin.apps().deployments().inNamespace(NS).withName(RELEASE).scale(0);
        Await.until(
                "no trustgate Pods",
                Duration.ofMinutes(2),
                () -> trustgatePods().isEmpty());
        assertThatThrownBy(() -> createPod(APPS, "while-down", signed.reference()))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage())
                                .contains("trustgate.io")
                                .containsAnyOf("failed calling webhook", "no endpoints available"));
        assertThat(admin.pods().inNamespace(APPS).withName("while-down").get()).isNull();
        admin.apps().deployments().inNamespace(NS).withName(RELEASE).scale(2);
        awaitTrustgateAvailable(2);
        Await.until("admission back", Duration.ofMinutes(1), () -> {
            try {
                createPod(APPS, "after-recovery", signed.reference());
                return true;
            } catch (KubernetesClientException e) {
                return false;
            }
        });
        awaitRunningPod(APPS, "after-recovery");
    }

    @Test
    @Order(7)
    @DisplayName("figures: trustgate's RSS under the chart's memory limit, Pod start with and without admission")
    void figures() throws IOException {
        for (Pod p : trustgatePods()) {
            long rss = node.containerRss(p.getMetadata().getUid());
            FIGURES.add("trustgate Pod " + p.getMetadata().getName() + " RSS " + (rss >> 20) + " MiB (limit "
                    + (MEMORY_LIMIT >> 20) + " MiB)");
            assertThat(rss).isPositive().isLessThan(MEMORY_LIMIT);
        }
        int n = 5;
        List<Long> with = new ArrayList<>();
        List<Long> without = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            without.add(podStartMillis(IGNORED, "plain-" + i));
            with.add(podStartMillis(APPS, "governed-" + i));
        }
        FIGURES.add("Pod creation to Running, median of " + n + ": with trustgate " + median(with) + " ms, without "
                + median(without) + " ms (image already on the node; with: " + with + ", without: " + without
                + ")");
        FIGURES.add("load average at the end: " + loadAverage());
    }

    // ---- helpers ----

    private static long podStartMillis(String ns, String name) {
        long start = System.nanoTime();
        createPod(ns, name, signed.reference());
        awaitRunningPod(ns, name);
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String imageTag() throws IOException {
        // docker-archive's manifest.json names the repo tag the image was saved with
        JsonNode manifest = JSON.readTree(Proc.cmd("tar", "-xOf", IMAGE_TAR.toString(), "manifest.json")
                .run()
                .stdout());
        String repoTag = manifest.get(0).path("RepoTags").get(0).asText();
        return repoTag.substring(repoTag.lastIndexOf(':') + 1);
    }

    private static void createDeployment(String name, String image, int replicas) {
        Deployment d = new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(APPS)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", name)
                .endMetadata()
                .withNewSpec()
                .withTerminationGracePeriodSeconds(1L)
                .addNewContainer()
                .withName("app")
                .withImage(image)
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        admin.apps().deployments().inNamespace(APPS).resource(d).create();
    }

    private static void createPod(String ns, String name, String image) {
        admin.pods().inNamespace(ns).resource(pod(name, image)).create();
    }

    private static Pod pod(String name, String image) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withTerminationGracePeriodSeconds(1L)
                .addNewContainer()
                .withName("app")
                .withImage(image)
                .endContainer()
                .endSpec()
                .build();
    }

    private static List<Pod> podsOf(String app) {
        return admin.pods().inNamespace(APPS).withLabel("app", app).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }

    private static List<Pod> awaitRunning(String app, int count) {
        return Await.until(
                count + " Pod(s) of " + app + " Running",
                POD_RUNNING,
                () -> podsOf(app),
                l -> l.stream().filter(NodeE2EIT::running).count() == count);
    }

    private static void awaitRunningPod(String ns, String name) {
        Await.until(
                "Pod " + ns + "/" + name + " Running",
                POD_RUNNING,
                () -> admin.pods().inNamespace(ns).withName(name).get(),
                p -> p != null && running(p));
    }

    private static boolean running(Pod p) {
        return p.getStatus() != null
                && "Running".equals(p.getStatus().getPhase())
                && p.getStatus().getContainerStatuses() != null
                && p.getStatus().getContainerStatuses().stream().allMatch(s -> Boolean.TRUE.equals(s.getReady()));
    }

    private static List<Event> replicaSetEvents(String app) {
        return admin.v1().events().inNamespace(APPS).list().getItems().stream()
                .filter(e -> "ReplicaSet".equals(e.getInvolvedObject().getKind()))
                .filter(e -> e.getInvolvedObject().getName().startsWith(app + "-"))
                .filter(e -> e.getMessage() != null)
                .toList();
    }

    private static List<Pod> trustgatePods() {
        return admin.pods().inNamespace(NS).withLabel("app.kubernetes.io/name", "trustgate").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }

    private static Long readyCount(List<Pod> pods) {
        return pods.stream().filter(NodeE2EIT::running).count();
    }

    private static List<String> readyAddresses() {
        return admin
                .discovery()
                .v1()
                .endpointSlices()
                .inNamespace(NS)
                .withLabel("kubernetes.io/service-name", RELEASE)
                .list()
                .getItems()
                .stream()
                .filter(s -> s.getEndpoints() != null)
                .flatMap(s -> s.getEndpoints().stream())
                .filter(e -> e.getConditions() != null
                        && Boolean.TRUE.equals(e.getConditions().getReady()))
                .flatMap(e -> e.getAddresses().stream())
                .toList();
    }

    private static long readyEndpoints(EndpointSlice s) {
        return s.getEndpoints() == null
                ? 0
                : s.getEndpoints().stream()
                        .filter(e -> e.getConditions() != null
                                && Boolean.TRUE.equals(e.getConditions().getReady()))
                        .count();
    }

    private static void awaitTrustgateAvailable(int replicas) {
        try {
            admin.apps()
                    .deployments()
                    .inNamespace(NS)
                    .withName(RELEASE)
                    .waitUntilCondition(
                            d -> d != null
                                    && d.getStatus() != null
                                    && Objects.equals(d.getStatus().getAvailableReplicas(), replicas)
                                    && Objects.equals(d.getStatus().getReadyReplicas(), replicas)
                                    && d.getStatus().getConditions() != null
                                    && d.getStatus().getConditions().stream()
                                            .anyMatch(c -> c.getType().equals("Available")
                                                    && c.getStatus().equals("True")),
                            4,
                            TimeUnit.MINUTES);
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "trustgate not Available with " + replicas + " replicas; Pods: " + describe(trustgatePods())
                            + "\nevents: " + eventsIn(NS),
                    e);
        }
    }

    private static String describe(List<Pod> pods) {
        StringBuilder out = new StringBuilder();
        for (Pod p : pods) {
            out.append("\n  ").append(p.getMetadata().getName()).append(' ').append(p.getStatus());
        }
        return out.toString();
    }

    private static String eventsIn(String ns) {
        StringBuilder out = new StringBuilder();
        for (Event e : admin.v1().events().inNamespace(ns).list().getItems()) {
            out.append("\n  ")
                    .append(e.getInvolvedObject().getKind())
                    .append('/')
                    .append(e.getInvolvedObject().getName())
                    .append(' ')
                    .append(e.getReason())
                    .append(": ")
                    .append(e.getMessage());
        }
        return out.toString();
    }

    private static String policy(String name) {
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", "ClusterTrustPolicy");
        p.putObject("metadata").put("name", name);
        ObjectNode spec = p.putObject("spec");
        spec.putArray("images").add(node.registry().host() + "/demo/" + name + "/**");
        spec.put("mode", "Enforce");
        // trustgate runs in a Pod: the lookaside store on loopback is reached at the node address
        spec.put(
                "lookaside",
                "http://"
                        + NodeCluster.podReachable(Integer.parseInt(lookaside
                                .baseUrl()
                                .substring(lookaside.baseUrl().lastIndexOf(':') + 1))));
        spec.putArray("signers")
                .addObject()
                .put("name", "alice")
                .putArray("keys")
                .add(gpg.exportPublic(alice));
        spec.put("minSignatures", 1);
        return p.toString();
    }

    private static void awaitPolicyReady(String name) {
        Await.until("ClusterTrustPolicy " + name + " Ready", Duration.ofMinutes(1), () -> {
            GenericKubernetesResource r = admin.genericKubernetesResources(
                            "trustgate.io/v1alpha1", "ClusterTrustPolicy")
                    .withName(name)
                    .get();
            JsonNode status = JSON.valueToTree(r.getAdditionalProperties().get("status"));
            for (JsonNode c : status.path("conditions")) {
                if (c.path("type").asText().equals("Ready")
                        && c.path("status").asText().equals("True")) {
                    return true;
                }
            }
            return false;
        });
    }
}
