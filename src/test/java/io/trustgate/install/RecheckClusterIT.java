package io.trustgate.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustgate.k8s.crd.TrustException;
import io.trustgate.k8s.crd.TrustExceptionSpec;
import io.trustgate.testing.ClusterFixture;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.Ports;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import io.trustgate.testing.TrustgateProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The background recheck against a real kube-apiserver, installed as the chart installs it (RBAC, the
 * PolicyReport CRDs), with two trustgate replicas as processes: running Pods (created in the API and given a
 * status the way a kubelet writes it) are rechecked when the key in a keysFrom Secret changes, the PolicyReport,
 * the Events and the metrics follow, and only the holder of the Lease rechecks until it stops.
 */
class RecheckClusterIT {

    private static final String NS = "trustgate";
    private static final String APPS = "apps";
    private static final String POLICY = "ClusterTrustPolicy/recheck";
    /** The test CA, for scraping the replicas' HTTPS metrics. */
    private static final java.util.concurrent.atomic.AtomicReference<TestCa> CA =
            new java.util.concurrent.atomic.AtomicReference<>();

    @Test
    @DisplayName(
            "a running Pod's report goes pass -> fail (with an Event and the metric) when its signer's key leaves the Secret, and back to pass; one replica rechecks, the other takes over when it stops")
    void recheckReportsAndLease() throws Exception {
        Path base = Files.createTempDirectory("tg-recheck-");
        int portA = Ports.free();
        int portB = Ports.free();
        try (GpgPeer gpg = GpgPeer.create();
                RegistryPeer registry = RegistryPeer.builder("recheck-registry").start();
                LookasidePeer lookaside = LookasidePeer.serve("recheck-lookaside", base.resolve("lookaside"));
                ClusterFixture cluster = ClusterFixture.start("recheck-apiserver", base)
                        .namespaces(APPS)
                        .installChart(portA)) {
            KubernetesClient admin = cluster.admin();
            TestCa ca = cluster.ca();
            CA.set(ca);
            String alice = gpg.generateKey("Alice", "alice@example.test");
            String bob = gpg.generateKey("Bob", "bob@example.test");
            PushedImage image = ImageFactory.pushRandom(registry, "demo/recheck/app", "1.0");
            gpg.signImage(alice, image.reference(), lookaside.root());

            assertThat(admin.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .withName("policyreports.wgpolicyk8s.io")
                            .get())
                    .as("the chart installs the PolicyReport CRD where none is")
                    .isNotNull();
            admin.secrets()
                    .inNamespace(NS)
                    .resource(keySecret(gpg.exportPublic(alice)))
                    .create();
            admin.resource(policy(registry.host(), lookaside.baseUrl())).create();

            Map<String, String> env = Map.of(
                    "TRUSTGATE_INSECURE_REGISTRIES",
                    registry.host(),
                    "TRUSTGATE_RECHECK_INTERVAL",
                    "3s",
                    "TRUSTGATE_RECHECK_LEASE",
                    "trustgate-recheck");
            try (TrustgateProcess a = cluster.startTrustgate("trustgate-recheck-a", portA, env);
                    TrustgateProcess b = cluster.startTrustgate("trustgate-recheck-b", portB, env)) {
                // A Deployment and the ReplicaSet it owns (no controller-manager runs: they are written here as it
                // would write them), and a running Pod of that ReplicaSet, admitted through the webhook, its status
                // written as a kubelet would.
                PodSpec podSpec = new PodSpecBuilder()
                        .addNewContainer()
                        .withName("app")
                        .withImage(image.reference())
                        .endContainer()
                        .build();
                Deployment deployment = admin.apps()
                        .deployments()
                        .inNamespace(APPS)
                        .resource(ClusterFixture.deployment("web", podSpec))
                        .create();
                ReplicaSet replicaSet = admin.apps()
                        .replicaSets()
                        .inNamespace(APPS)
                        .resource(ClusterFixture.replicaSetOf("web-5d9c", deployment))
                        .create();
                ClusterFixture.createRunningPod(
                        admin,
                        APPS,
                        "web-1",
                        "web-5d9c",
                        replicaSet.getMetadata().getUid(),
                        image);

                // 1. Verified while Alice's key is in the Secret.
                GenericKubernetesResource report = awaitReport(admin, "pass", a, b);
                Map<String, Object> result = results(report).get(0);
                assertThat(result)
                        .containsEntry("policy", POLICY)
                        .containsEntry("source", "trustgate")
                        .containsEntry("result", "pass");
                assertThat(result.get("resources").toString())
                        .as("the top-level owner, read through the ReplicaSet's ownerReference")
                        .contains("kind=Deployment")
                        .contains("name=web")
                        .doesNotContain("web-5d9c");
                assertThat(result.get("properties").toString()).contains(image.digest());

                // Only the Lease holder rechecks.
                await(Duration.ofSeconds(30), () -> leader(admin, a, b) != null, a, b);
                TrustgateProcess leader = leader(admin, a, b);
                TrustgateProcess other = leader == a ? b : a;
                assertThat(metric(leader, "trustgate_recheck_leader"))
                        .as(() -> scrape(leader))
                        .isEqualTo(1.0);
                assertThat(metric(other, "trustgate_recheck_leader")).isEqualTo(0.0);
                assertThat(metric(leader, "trustgate_recheck_scans_total")).isPositive();
                assertThat(metric(other, "trustgate_recheck_scans_total")).isZero();
                assertThat(runningWorkloads(leader, "pass")).isEqualTo(1.0);

                // 2. Alice's key leaves the Secret (Bob's replaces it): within one recheck the report fails.
                admin.secrets()
                        .inNamespace(NS)
                        .resource(keySecret(gpg.exportPublic(bob)))
                        .update();
                report = awaitReport(admin, "fail", a, b);
                result = results(report).get(0);
                assertThat(result.get("message").toString())
                        .contains("image " + image.reference() + "@" + image.digest())
                        .contains("is not signed as " + POLICY + " requires")
                        .contains("signed by no trusted signer");
                assertThat(((Map<?, ?>) report.getAdditionalProperties().get("summary")).get("fail"))
                        .isEqualTo(1);
                await(Duration.ofSeconds(30), () -> runningWorkloads(leader, "fail") == 1.0, a, b);
                assertThat(runningWorkloads(leader, "pass")).isNull();
                await(
                        Duration.ofSeconds(30),
                        () -> events(admin, "Pod", "web-1").stream()
                                .anyMatch(e -> e.getReason().equals("ImageNotVerified")
                                        && e.getType().equals("Warning")
                                        && e.getMessage().contains(image.digest())),
                        a,
                        b);
                assertThat(events(admin, "Deployment", "web"))
                        .as("the top-level controller gets the Event too")
                        .anyMatch(e -> e.getReason().equals("ImageNotVerified"));

                // The same table from a kubeconfig, for admins without Prometheus: exit 1 while a workload fails.
                Path adminKubeconfig = cluster.adminKubeconfig();
                Cli failing = cli("report", "--kubeconfig", adminKubeconfig.toString());
                assertThat(failing.code()).as(failing.err()).isEqualTo(1);
                assertThat(failing.out())
                        .contains("Deployment/web")
                        .contains(POLICY)
                        .contains(" fail ")
                        .contains("is not signed as " + POLICY + " requires");

                // An exception for the failing image: the report says skip, and the exception's status counts the
                // one Pod that relies on it.
                TrustException hotfix = new TrustException();
                hotfix.setMetadata(new ObjectMetaBuilder()
                        .withName("hotfix")
                        .withNamespace(APPS)
                        .build());
                TrustExceptionSpec spec = new TrustExceptionSpec();
                spec.images = List.of("**/demo/recheck/*");
                spec.policies = List.of(POLICY);
                spec.reason = "key rotation in progress";
                spec.expires = java.time.Instant.now().plus(Duration.ofHours(1)).toString();
                hotfix.setSpec(spec);
                admin.resources(TrustException.class).resource(hotfix).create();
                report = awaitReport(admin, "skip", a, b);
                assertThat(results(report).get(0).get("message").toString())
                        .contains("exempted by TrustException apps/hotfix")
                        .contains("key rotation in progress");
                await(Duration.ofSeconds(30), () -> Integer.valueOf(1).equals(podsOf(admin, "hotfix")), a, b);

                // 3. Alice's key back: pass again, and no Pod relies on the exception any more.
                admin.secrets()
                        .inNamespace(NS)
                        .resource(keySecret(gpg.exportPublic(alice)))
                        .update();
                awaitReport(admin, "pass", a, b);
                await(Duration.ofSeconds(30), () -> runningWorkloads(leader, "pass") == 1.0, a, b);
                await(Duration.ofSeconds(30), () -> Integer.valueOf(0).equals(podsOf(admin, "hotfix")), a, b);
                Cli passing = cli("report", "--kubeconfig", adminKubeconfig.toString(), "-n", APPS);
                assertThat(passing.code()).as(passing.err()).isZero();
                assertThat(passing.out()).contains("Deployment/web").contains(" pass ");
                // the same with a client certificate instead of a token (kubeadm's and kind's admin kubeconfig)
                Cli byCertificate = cli(
                        "report", "--kubeconfig", cluster.adminCertKubeconfig().toString(), "-n", APPS);
                assertThat(byCertificate.code()).as(byCertificate.err()).isZero();
                assertThat(byCertificate.out()).isEqualTo(passing.out());

                // 4. The leader stops; the other replica takes the Lease and rechecks.
                String holder = holder(admin);
                leader.stop();
                await(Duration.ofSeconds(60), () -> leader(admin, a, b) == other, a, b);
                await(Duration.ofSeconds(30), () -> metric(other, "trustgate_recheck_scans_total") > 0, a, b);
                assertThat(metric(other, "trustgate_recheck_leader")).isEqualTo(1.0);
                assertThat(holder(admin)).isNotNull().isNotEqualTo(holder);
            }
        }
    }

    private record Cli(int code, String out, String err) {}

    private static Cli cli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = io.trustgate.cli.Main.run(
                new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), Map.of(), args);
        return new Cli(code, out.toString(), err.toString());
    }

    private static Integer podsOf(KubernetesClient admin, String exception) {
        TrustException e = admin.resources(TrustException.class)
                .inNamespace(APPS)
                .withName(exception)
                .get();
        return e == null || e.getStatus() == null ? null : e.getStatus().pods;
    }

    private static io.fabric8.kubernetes.api.model.Secret keySecret(String armoured) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName("release-keys")
                .withNamespace(NS)
                .endMetadata()
                .withStringData(Map.of("pubring.asc", armoured))
                .build();
    }

    private static GenericKubernetesResource policy(String registryHost, String lookaside) {
        GenericKubernetesResource p = new GenericKubernetesResource();
        p.setApiVersion("trustgate.io/v1alpha1");
        p.setKind("ClusterTrustPolicy");
        p.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName("recheck")
                .build());
        p.setAdditionalProperty(
                "spec",
                Map.of(
                        "mode",
                        "Enforce",
                        "images",
                        List.of(registryHost + "/demo/recheck/**"),
                        "lookaside",
                        lookaside,
                        "exceptions",
                        Map.of("allow", true, "maxDuration", "7d"),
                        "signers",
                        List.of(Map.of(
                                "name",
                                "release",
                                "keysFrom",
                                Map.of("secretKeyRef", Map.of("name", "release-keys", "key", "pubring.asc"))))));
        return p;
    }

    private static GenericKubernetesResource awaitReport(
            KubernetesClient admin, String verdict, TrustgateProcess... processes) {
        GenericKubernetesResource[] found = new GenericKubernetesResource[1];
        await(
                Duration.ofSeconds(60),
                () -> {
                    GenericKubernetesResource r = admin.genericKubernetesResources(
                                    "wgpolicyk8s.io/v1alpha2", "PolicyReport")
                            .inNamespace(APPS)
                            .withName("trustgate")
                            .get();
                    if (r == null || results(r).size() != 1) {
                        return false;
                    }
                    found[0] = r;
                    return verdict.equals(results(r).get(0).get("result"));
                },
                processes);
        return found[0];
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(GenericKubernetesResource report) {
        Object r = report.getAdditionalProperties().get("results");
        return r == null ? List.of() : (List<Map<String, Object>>) r;
    }

    private static List<Event> events(KubernetesClient admin, String kind, String name) {
        return admin.v1().events().inNamespace(APPS).list().getItems().stream()
                .filter(e -> kind.equals(e.getInvolvedObject().getKind())
                        && name.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    private static String holder(KubernetesClient admin) {
        Lease lease =
                admin.leases().inNamespace(NS).withName("trustgate-recheck").get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    /** The process that logged that it holds the Lease under the identity the Lease names now. */
    private static TrustgateProcess leader(KubernetesClient admin, TrustgateProcess a, TrustgateProcess b) {
        String holder = holder(admin);
        if (holder == null) {
            return null;
        }
        for (TrustgateProcess p : List.of(a, b)) {
            try {
                if (Files.readString(p.process().log()).contains(holder + " holds the Lease")) {
                    return p;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return null;
    }

    private static Double runningWorkloads(TrustgateProcess p, String verdict) {
        return value(
                scrape(p),
                "trustgate_running_workloads\\{[^}]*policy=\"" + Pattern.quote(POLICY) + "\"[^}]*verdict=\"" + verdict
                        + "\"[^}]*\\}");
    }

    private static Double metric(TrustgateProcess p, String name) {
        return value(scrape(p), Pattern.quote(name) + "(?:\\{[^}]*\\})?");
    }

    private static Double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }

    private static String scrape(TrustgateProcess p) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + p.port() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(5))
                    .build();
            return CA.get()
                    .httpClient(Duration.ofSeconds(2))
                    .send(req, HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(Duration timeout, Supplier<Boolean> condition, TrustgateProcess... processes) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
            } catch (RuntimeException e) {
                // not yet (e.g. a metric not registered yet)
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
        StringBuilder logs = new StringBuilder();
        for (TrustgateProcess p : processes) {
            logs.append("\n--- ")
                    .append(p.port())
                    .append(":\n")
                    .append(p.process() != null ? p.process().tail() : "(not started)");
        }
        throw new AssertionError("condition not met within " + timeout + logs);
    }
}
