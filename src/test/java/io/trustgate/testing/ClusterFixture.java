package io.trustgate.testing;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real kube-apiserver (with its etcd) set up the way an admin installs trustgate: the CRDs of {@code k8s/crds}
 * applied as {@code kubectl apply -f k8s/crds/} would, namespaces, then the chart rendered by Helm with the
 * webhook pointing at trustgate on loopback and the test CA as its caBundle, and trustgate started as a process
 * with its ServiceAccount's token in a kubeconfig, so the chart's RBAC is all it may do. The cluster suites share
 * it instead of each repeating these steps.
 */
public final class ClusterFixture implements AutoCloseable {

    /** trustgate's namespace, where the chart installs it. */
    public static final String NAMESPACE = "trustgate";

    private final Path base;
    private final TestCa ca;
    private final KubeApiServerPeer api;
    private final KubernetesClient admin;
    private String token;

    private ClusterFixture(Path base, TestCa ca, KubeApiServerPeer api) {
        this.base = base;
        this.ca = ca;
        this.api = api;
        this.admin = api.adminClient();
    }

    /**
     * Starts etcd and the API server (serving certificate from a new test CA under {@code base}), applies the
     * CRDs of {@code k8s/crds} and waits until they are established, and creates trustgate's namespace.
     */
    public static ClusterFixture start(String name, Path base) {
        TestCa ca = TestCa.create(base.resolve("ca"));
        KubeApiServerPeer api = KubeApiServerPeer.start(name, ca);
        ClusterFixture f = new ClusterFixture(base, ca, api);
        try {
            f.installCrds();
            f.namespaces(NAMESPACE);
            return f;
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    public Path base() {
        return base;
    }

    public TestCa ca() {
        return ca;
    }

    public KubeApiServerPeer api() {
        return api;
    }

    /** A client with cluster-admin rights; closed with the fixture. */
    public KubernetesClient admin() {
        return admin;
    }

    /** Creates each namespace. */
    public ClusterFixture namespaces(String... names) {
        for (String ns : names) {
            admin.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .create();
        }
        return this;
    }

    /** The chart with its defaults, the webhook at {@code https://127.0.0.1:<webhookPort>/validate}. */
    public ClusterFixture installChart(int webhookPort) {
        return installChart(webhookPort, Map.of());
    }

    /**
     * Renders the chart (release {@code trustgate} in {@value #NAMESPACE}) with the webhook at trustgate's loopback
     * port, certificates from an existing Secret and the test CA as caBundle, plus {@code values} (top-level keys
     * replace the defaults above), creates every object, and waits for the CRDs it installs to be established.
     */
    public ClusterFixture installChart(int webhookPort, Map<String, Object> values) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("webhook", Map.of("url", "https://127.0.0.1:" + webhookPort + "/validate"));
        all.put(
                "certificates",
                Map.of("source", "secret", "existingSecret", "trustgate-tls", "caBundle", read(ca.certPem())));
        all.putAll(values);
        String rendered = ChartRenderer.template("trustgate", NAMESPACE, all);
        for (HasMetadata item : admin.load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)))
                .items()) {
            admin.resource(item).create();
            if (item instanceof CustomResourceDefinition crd) {
                awaitEstablished(crd.getMetadata().getName());
            }
        }
        return this;
    }

    /** A token of the chart's {@code trustgate} ServiceAccount (one hour), requested once. */
    public synchronized String trustgateToken() {
        if (token == null) {
            token = admin.serviceAccounts()
                    .inNamespace(NAMESPACE)
                    .withName("trustgate")
                    .tokenRequest(new TokenRequestBuilder()
                            .withNewSpec()
                            .withExpirationSeconds(3600L)
                            .endSpec()
                            .build())
                    .getStatus()
                    .getToken();
        }
        return token;
    }

    /** A kubeconfig with the ServiceAccount's token: what trustgate reaches the API server with. */
    public Path trustgateKubeconfig() {
        return api.writeKubeconfig(base.resolve("trustgate.kubeconfig"), trustgateToken());
    }

    /** A kubeconfig with cluster-admin rights, for the CLI. */
    public Path adminKubeconfig() {
        return api.writeKubeconfig(base.resolve("admin.kubeconfig"), api.adminToken());
    }

    /** A kubeconfig with cluster-admin rights through a client certificate (group system:masters), for the CLI. */
    public Path adminCertKubeconfig() {
        return api.writeClientCertKubeconfig(base.resolve("admin-cert.kubeconfig"), "cert-admin", "system:masters");
    }

    /**
     * The environment of trustgate in cluster mode as the chart runs it: {@code KUBECONFIG} (the ServiceAccount's
     * token), {@code TRUSTGATE_NAMESPACE}, then {@code extra}.
     */
    public Map<String, String> trustgateEnv(Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBECONFIG", trustgateKubeconfig().toString());
        env.put("TRUSTGATE_NAMESPACE", NAMESPACE);
        env.putAll(extra);
        return env;
    }

    /** Starts trustgate on {@code port} with {@link #trustgateEnv}; the caller closes it. */
    public TrustgateProcess startTrustgate(String name, int port, Map<String, String> extra) {
        return TrustgateProcess.start(name, ca, port, trustgateEnv(extra));
    }

    private void installCrds() {
        try (var files = Files.list(Path.of("k8s/crds"))) {
            for (Path f : files.sorted().toList()) {
                CustomResourceDefinition crd = admin.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .load(f.toFile())
                        .item();
                admin.resource(crd).create();
                awaitEstablished(crd.getMetadata().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitEstablished(String name) {
        admin.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(name)
                .waitUntilCondition(
                        c -> c.getStatus() != null
                                && c.getStatus().getConditions() != null
                                && c.getStatus().getConditions().stream()
                                        .anyMatch(x -> x.getType().equals("Established")
                                                && x.getStatus().equals("True")),
                        30,
                        TimeUnit.SECONDS);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            admin.close();
        } finally {
            api.close();
        }
    }

    /**
     * Creates Pod {@code name} owned by ReplicaSet {@code replicaSet} (uid {@code replicaSetUid}) running {@code image}
     * in one container, and sets its status as a kubelet would once the image runs: Running, imageID = the digest.
     */
    public static Pod createRunningPod(
            KubernetesClient admin,
            String namespace,
            String name,
            String replicaSet,
            String replicaSetUid,
            ImageFactory.PushedImage image) {
        Pod created = admin.pods()
                .inNamespace(namespace)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addNewOwnerReference()
                        .withApiVersion("apps/v1")
                        .withKind("ReplicaSet")
                        .withName(replicaSet)
                        .withUid(replicaSetUid)
                        .withController(true)
                        .endOwnerReference()
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("app")
                        .withImage(image.reference())
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        created.setStatus(new PodStatusBuilder()
                .withPhase("Running")
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName("app")
                        .withImage(image.reference())
                        .withImageID(image.digestReference())
                        .withReady(true)
                        .withRestartCount(0)
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt("2026-11-30T12:00:00Z")
                        .endRunning()
                        .endState()
                        .build())
                .build());
        return admin.pods().inNamespace(namespace).resource(created).updateStatus();
    }

    /**
     * A Deployment {@code name} (not yet created) whose Pods, labelled {@code app=<name>} and selected by that label,
     * run {@code spec}.
     */
    public static Deployment deployment(String name, PodSpec spec) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", name)
                .endMetadata()
                .withSpec(spec)
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * The ReplicaSet {@code name} (not yet created) that a controller-manager would write for {@code owner}: owned by
     * it as controller, with its selector and pod template.
     */
    public static ReplicaSet replicaSetOf(String name, Deployment owner) {
        return new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(name)
                .addNewOwnerReference()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .withSelector(owner.getSpec().getSelector())
                .withTemplate(owner.getSpec().getTemplate())
                .endSpec()
                .build();
    }
}
