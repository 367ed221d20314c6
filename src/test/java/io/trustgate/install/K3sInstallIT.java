package io.trustgate.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.trustgate.testing.ClusterFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The chart installed with helm-java into a real cluster (k3s in a container), running the image that
 * {@code make image} wrote to target/trustgate-image.tar with 3 replicas. Needs a Docker engine:
 * skipped cleanly without one (as on the development machines here), so it never counts as coverage.
 * Run it where Docker exists with {@code make image && make e2e}.
 */
@Testcontainers(disabledWithoutDocker = true)
class K3sInstallIT {

    private static final Path IMAGE_TAR = Path.of("target/trustgate-image.tar");
    private static final String IMAGE = "trustgate/trustgate";
    private static final String TAG = "0.1.0-SNAPSHOT";

    @Container
    static final K3sContainer K3S = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.33.5-k3s1"));

    private static KubernetesClient client;

    @BeforeAll
    static void install() throws Exception {
        assumeThat(IMAGE_TAR).as("run 'make image' first").exists();
        K3S.copyFileToContainer(MountableFile.forHostPath(IMAGE_TAR), "/tmp/trustgate-image.tar");
        var imported = K3S.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/trustgate-image.tar");
        assertThat(imported.getExitCode()).as(imported.getStderr()).isZero();
        Path kubeconfig = Files.createTempFile("k3s-", ".yaml");
        Files.writeString(kubeconfig, K3S.getKubeConfigYaml());
        new Helm(Path.of("Chart"))
                .install()
                .withName("trustgate")
                .withNamespace("trustgate")
                .createNamespace()
                .withKubeConfig(kubeconfig)
                .set("image.repository", "docker.io/" + IMAGE)
                .set("image.tag", TAG)
                .set("image.pullPolicy", "Never")
                .set("podAntiAffinity", "none")
                .waitReady()
                .withTimeout(300)
                .call();
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(K3S.getKubeConfigYaml()))
                .build();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("apps")
                        .endMetadata()
                        .build())
                .create();
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    @DisplayName("k3s: all 3 replicas become ready")
    void replicasReady() {
        client.apps()
                .deployments()
                .inNamespace("trustgate")
                .withName("trustgate")
                .waitUntilCondition(
                        d -> d.getStatus() != null
                                && Integer.valueOf(3).equals(d.getStatus().getReadyReplicas()),
                        3,
                        TimeUnit.MINUTES);
    }

    @Test
    @DisplayName("k3s: a Pod and a Deployment with an image no policy governs are rejected with trustgate's message")
    void ungovernedRejected() {
        assertThatThrownBy(() -> client.pods()
                        .inNamespace("apps")
                        .resource(new PodBuilder()
                                .withNewMetadata()
                                .withName("nginx")
                                .endMetadata()
                                .withNewSpec()
                                .addNewContainer()
                                .withName("c")
                                .withImage("nginx:1.25")
                                .endContainer()
                                .endSpec()
                                .build())
                        .create())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage())
                                .contains("validate.trustgate.io")
                                .contains("docker.io/library/nginx:1.25"));
        assertThatThrownBy(() -> client.apps()
                        .deployments()
                        .inNamespace("apps")
                        .resource(ClusterFixture.deployment(
                                "web",
                                new PodSpecBuilder()
                                        .addNewContainer()
                                        .withName("c")
                                        .withImage("nginx:1.25")
                                        .endContainer()
                                        .build()))
                        .create())
                .isInstanceOf(KubernetesClientException.class);
    }

    @Test
    @DisplayName("k3s: kube-system and namespaces labelled trustgate.io/ignore=true are not affected")
    void ignoredNamespaces() {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("sandbox")
                        .addToLabels("trustgate.io/ignore", "true")
                        .endMetadata()
                        .build())
                .create();
        for (String ns : new String[] {"sandbox", "kube-system"}) {
            assertThat(client.pods()
                            .inNamespace(ns)
                            .resource(new PodBuilder()
                                    .withNewMetadata()
                                    .withName("free")
                                    .endMetadata()
                                    .withNewSpec()
                                    .addNewContainer()
                                    .withName("c")
                                    .withImage("nginx:1.25")
                                    .endContainer()
                                    .endSpec()
                                    .build())
                            .create()
                            .getMetadata()
                            .getUid())
                    .isNotBlank();
        }
    }
}
