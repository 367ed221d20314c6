package io.trustgate.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A real kube-apiserver on loopback, backed by an {@link EtcdPeer}: serving certificate from a
 * {@link TestCa}, a service-account signing key (so TokenRequest works), RBAC authorization and an
 * admin bearer token in {@code system:masters}. There is no controller-manager, scheduler or kubelet:
 * objects are stored and admitted, nothing runs. The ServiceAccount admission plugin is off because
 * no controller creates the {@code default} accounts.
 *
 * <p>The binary is built once by {@code scripts/build-kube-apiserver.sh} into
 * {@code ~/.cache/trustgate/k8s/<version>/}; asking the script for its path builds it if needed.
 *
 * <pre>{@code
 * try (KubeApiServerPeer api = KubeApiServerPeer.start("kube-apiserver", ca)) {
 *     KubernetesClient admin = api.adminClient();
 * }
 * }</pre>
 */
public final class KubeApiServerPeer implements AutoCloseable {

    private final EtcdPeer etcd;
    private final PeerProcess process;
    private final int port;
    private final String adminToken;
    private final TestCa ca;

    private KubeApiServerPeer(EtcdPeer etcd, PeerProcess process, int port, String adminToken, TestCa ca) {
        this.etcd = etcd;
        this.process = process;
        this.port = port;
        this.adminToken = adminToken;
        this.ca = ca;
    }

    /** The kube-apiserver binary, built on first use. */
    public static Path binary() {
        String explicit = System.getenv("TRUSTGATE_KUBE_APISERVER");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        Proc.Result r = Proc.cmd("scripts/build-kube-apiserver.sh")
                .timeout(Duration.ofMinutes(60))
                .run();
        List<String> lines = r.stdout().strip().lines().toList();
        return Path.of(lines.get(lines.size() - 1));
    }

    public static KubeApiServerPeer start(String name, TestCa ca) {
        return start(name, ca, List.of(), List.of("--disable-admission-plugins=ServiceAccount"));
    }

    /**
     * Like {@link #start(String, TestCa)}, with extra IP addresses in the serving certificate (an address
     * containers reach the API server at) and extra flags instead of the ServiceAccount plugin being off (a
     * {@link NodeCluster} runs a controller-manager, so Pods get their accounts' tokens).
     */
    public static KubeApiServerPeer start(String name, TestCa ca, List<String> extraIps, List<String> extraFlags) {
        Path bin = binary();
        EtcdPeer etcd = EtcdPeer.start(name + "-etcd");
        try {
            Path dir = PeerProcess.peerDir(name);
            TestCa.Issued serving =
                    ca.issueServer(name, extraIps, "kubernetes", "kubernetes.default", "kubernetes.default.svc");
            KeyPair sa = rsa();
            Path saKey = dir.resolve("sa.key");
            Path saPub = dir.resolve("sa.pub");
            Files.writeString(saKey, TestCa.pem(sa.getPrivate()));
            Files.writeString(saPub, TestCa.pem(sa.getPublic()));
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            Path tokens = dir.resolve("tokens.csv");
            Files.writeString(tokens, token + ",admin,admin-uid,system:masters\n");
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = Ports.free();
                Path certDir = Files.createDirectories(dir.resolve("certs-" + port));
                List<String> command = new java.util.ArrayList<>(List.of(
                        bin.toString(),
                        "--etcd-servers=" + etcd.clientUrl(),
                        "--etcd-prefix=/registry-" + port,
                        "--bind-address=127.0.0.1",
                        "--advertise-address=127.0.0.1",
                        "--endpoint-reconciler-type=none", // the loopback address cannot be an endpoint
                        "--secure-port=" + port,
                        "--cert-dir=" + certDir,
                        "--tls-cert-file=" + serving.certPem(),
                        "--tls-private-key-file=" + serving.keyPem(),
                        "--token-auth-file=" + tokens,
                        "--client-ca-file=" + ca.certPem(), // x509 client certificates too, as kubeadm's admin.conf
                        "--authorization-mode=RBAC",
                        "--service-account-issuer=https://kubernetes.default.svc",
                        "--service-account-key-file=" + saPub,
                        "--service-account-signing-key-file=" + saKey,
                        "--api-audiences=https://kubernetes.default.svc",
                        "--service-cluster-ip-range=10.96.0.0/16",
                        "--enable-priority-and-fairness=false",
                        "--profiling=false",
                        "--v=1"));
                command.addAll(extraFlags);
                PeerProcess p =
                        PeerProcess.start(name, command, Map.of(), dir, dir.resolve(name + "-" + port + ".log"));
                KubeApiServerPeer peer = new KubeApiServerPeer(etcd, p, port, token, ca);
                try {
                    p.awaitReady(Duration.ofMinutes(3), peer::ready);
                    return peer;
                } catch (IllegalStateException e) {
                    last = e;
                }
            }
            throw last;
        } catch (IOException e) {
            etcd.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            etcd.close();
            throw e;
        }
    }

    /** {@code https://127.0.0.1:<port>}. */
    public String url() {
        return "https://127.0.0.1:" + port;
    }

    public String adminToken() {
        return adminToken;
    }

    /** The service-account signing key (PEM), for a controller-manager's token controller. */
    public Path serviceAccountKey() {
        return process.log().getParent().resolve("sa.key");
    }

    public int port() {
        return port;
    }

    public Path caFile() {
        return ca.certPem();
    }

    public PeerProcess process() {
        return process;
    }

    /**
     * Writes a kubeconfig that reaches this API server with {@code token} (for a process started with
     * {@code KUBECONFIG}, as trustgate is when it runs outside a cluster).
     */
    public Path writeKubeconfig(Path file, String token) {
        return writeKubeconfigWith(file, "token: \"%s\"".formatted(token));
    }

    /**
     * Writes a kubeconfig whose user is a client certificate of this API server's CA, subject {@code CN=user,
     * O=group}, inline as base64 {@code client-certificate-data} and {@code client-key-data} (what kubeadm and kind
     * write).
     */
    public Path writeClientCertKubeconfig(Path file, String user, String group) {
        TestCa.Issued client = ca.issueClient(user, group);
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        return writeKubeconfigWith(
                file,
                "client-certificate-data: %s, client-key-data: %s"
                        .formatted(
                                b64.encodeToString(TestCa.pem(client.certificate())
                                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                                b64.encodeToString(TestCa.pem(client.keyPair().getPrivate())
                                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
    }

    private Path writeKubeconfigWith(Path file, String userFields) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster: {server: "%s", certificate-authority: "%s"}
                users:
                - name: user
                  user: {%s}
                contexts:
                - name: test
                  context: {cluster: test, user: user}
                current-context: test
                """.formatted(url(), ca.certPem(), userFields);
        try {
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client with cluster-admin rights (system:masters). */
    public KubernetesClient adminClient() {
        return client(adminToken);
    }

    /** A client that authenticates with {@code token} (e.g. a ServiceAccount's, to test its RBAC). */
    public KubernetesClient client(String token) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(url())
                .withOauthToken(token)
                .withCaCertFile(ca.certPem().toString())
                .withRequestTimeout(60_000)
                .withConnectionTimeout(10_000)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private boolean ready() {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url() + "/readyz"))
                    .timeout(Duration.ofSeconds(2))
                    .header("Authorization", "Bearer " + adminToken)
                    .build();
            return http().send(req, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpClient http() {
        return ca.httpClient(Duration.ofSeconds(2));
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.stop();
        etcd.close();
    }
}
