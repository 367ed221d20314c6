package io.trustgate.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A single-node Kubernetes cluster from real parts, as root, on this machine: etcd and kube-apiserver
 * ({@link KubeApiServerPeer}), kube-controller-manager, kube-scheduler, Debian's containerd 1.6 with runc and
 * the CNI bridge/host-local/loopback plugins, and a kubelet. Pods run and pull their images from the cluster's
 * own {@link #registry()}.
 *
 * <p>Networking uses only private and loopback addresses: the bridge {@value #BRIDGE} with {@value #NODE_IP}/24
 * (Pods get 10.213.7.10 and up); the registry listens on {@value #NODE_IP}; the API server, the kubelet and
 * other peers listen on 127.0.0.1, and one NAT rule ({@value #NAT_CHAIN}: TCP to {@value #NODE_IP} arriving on
 * the bridge goes to 127.0.0.1, with {@code route_localnet} on the bridge alone) lets Pods reach them at
 * {@value #NODE_IP}:<port>. Cgroups (v1 here, cgroupfs driver) live under {@value #CGROUP_ROOT} in every
 * hierarchy. Everything is under {@code target/peers/<name>/}.
 *
 * <p>{@link #close()} tears it all down (also from a JVM shutdown hook, and at the next start after a killed
 * run): the kubelet and control plane by PID, every process in the cluster's cgroups and containerd's shims by
 * PID, containerd, every mount under the cluster's folder, the bridge, the NAT chain, the cgroups, the
 * kubelet's symlinks in /var/log/containers. One cluster at a time per machine (fixed bridge name).
 *
 * <pre>{@code
 * Optional<String> why = NodeCluster.unavailable();   // not root, a binary missing: skip with the reason
 * try (NodeCluster node = NodeCluster.start("node", ca)) {
 *     ImageFactory.PushedImage app = node.pushRunnable("demo/app", "1.0");   // runs /pause
 *     node.admin() ...
 * }
 * }</pre>
 */
public final class NodeCluster implements AutoCloseable {

    /** The node's address on its bridge: Pods reach the registry, API server and peers here. */
    public static final String NODE_IP = "10.213.7.1";

    public static final String NODE_NAME = "trustgate-node";
    static final String SUBNET = "10.213.7.0/24";
    static final String BRIDGE = "tgnode0";
    static final String NAT_CHAIN = "TGNODE";
    static final String CGROUP_ROOT = "/trustgate-node";
    static final Path CNI_BIN = Path.of("/usr/lib/cni");
    static final Path CGROUPS = Path.of("/sys/fs/cgroup");
    static final Path CONTAINER_LOG_LINKS = Path.of("/var/log/containers");

    /** How long the whole start may take (the API server alone needs up to a minute on a loaded machine). */
    public static final Duration START_TIMEOUT = Duration.ofMinutes(6);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final List<PeerProcess> processes = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread hook;
    private KubeApiServerPeer api;
    private RegistryPeer registry;
    private PeerProcess containerd;
    private Path pause;
    private String pauseImage;

    NodeCluster(Path dir) {
        this.dir = dir;
        this.hook = new Thread(this::teardown, "trustgate-node-teardown");
    }

    /**
     * Why a node cannot start here, or empty: it needs root (network interfaces, mounts, cgroups), Debian's
     * containerd, runc and CNI plugins, iproute2, iptables, gcc (a static pause binary), and the Kubernetes
     * binaries built by {@code scripts/build-kube.sh} (never built from a test: half an hour).
     */
    public static Optional<String> unavailable() {
        List<String> missing = new ArrayList<>();
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!Integer.valueOf(0).equals(uid)) {
                return Optional.of("a node needs root (network interfaces, mounts, cgroups); running as uid " + uid);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of("cannot tell the user id: " + e);
        }
        for (String tool : List.of("containerd", "containerd-shim-runc-v2", "runc", "ip", "iptables", "gcc")) {
            if (which(tool).isEmpty()) {
                missing.add(tool);
            }
        }
        for (String plugin : List.of("bridge", "host-local", "loopback")) {
            if (!Files.isExecutable(CNI_BIN.resolve(plugin))) {
                missing.add(CNI_BIN.resolve(plugin).toString());
            }
        }
        Path bin = kubeBinDir();
        for (String c : List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet")) {
            if (!Files.isExecutable(bin.resolve(c))) {
                missing.add(bin.resolve(c).toString());
            }
        }
        if (!Files.isDirectory(CGROUPS.resolve("memory")) && !Files.exists(CGROUPS.resolve("cgroup.controllers"))) {
            missing.add("cgroups at " + CGROUPS);
        }
        return missing.isEmpty()
                ? Optional.empty()
                : Optional.of("missing " + String.join(", ", missing)
                        + " (make deps: scripts/install-test-deps.sh installs containerd, runc and"
                        + " containernetworking-plugins and builds the Kubernetes binaries)");
    }

    /** The folder of the Kubernetes binaries: {@code TRUSTGATE_KUBE_BIN_DIR}, else build-kube.sh's cache. */
    static Path kubeBinDir() {
        String explicit = System.getenv("TRUSTGATE_KUBE_BIN_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String version = Optional.ofNullable(System.getenv("KUBE_VERSION")).orElse("v1.37.2");
        String cache = Optional.ofNullable(System.getenv("TRUSTGATE_K8S_CACHE"))
                .orElse(System.getProperty("user.home") + "/.cache/trustgate/k8s");
        return Path.of(cache, version);
    }

    /** Starts the cluster and waits until its node is Ready; tears down whatever started if that fails. */
    public static NodeCluster start(String name, TestCa ca) {
        unavailable().ifPresent(why -> {
            throw new IllegalStateException("cannot start a node: " + why);
        });
        Path dir = PeerProcess.peerDir(name);
        NodeCluster node = new NodeCluster(dir);
        node.teardownLeftovers();
        Runtime.getRuntime().addShutdownHook(node.hook);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            node.network();
            node.registry =
                    RegistryPeer.builder(name + "-registry").address(NODE_IP).start();
            // The registry listens on the node address itself: Pods reach it without the NAT to loopback.
            Proc.cmd(
                            "iptables",
                            "-t",
                            "nat",
                            "-I",
                            NAT_CHAIN,
                            "1",
                            "-d",
                            NODE_IP + "/32",
                            "-p",
                            "tcp",
                            "--dport",
                            String.valueOf(node.registry.port()),
                            "-j",
                            "RETURN")
                    .run();
            node.pause = node.buildPause();
            node.pauseImage = node.pushRunnable("trustgate-node/pause", "1").reference();
            node.startContainerd();
            node.api = KubeApiServerPeer.start(
                    name + "-apiserver",
                    ca,
                    List.of(NODE_IP),
                    // Webhooks are called at the Pod's address (no kube-proxy turns a Service's cluster IP
                    // into it).
                    List.of("--enable-aggregator-routing=true", "--allow-privileged=true"));
            Path kubeconfig = node.api.writeKubeconfig(dir.resolve("admin.kubeconfig"), node.api.adminToken());
            node.startControlPlane(kubeconfig, ca);
            node.startKubelet(kubeconfig);
            Duration left = Duration.ofNanos(Math.max(
                    deadline - System.nanoTime(), Duration.ofSeconds(30).toNanos()));
            try (KubernetesClient admin = node.api.adminClient()) {
                Await.until("node " + NODE_NAME + " Ready", left, () -> node.ready(admin));
                // The controller-manager creates the default ServiceAccount of a namespace; Pods need it.
                Await.until(
                        "ServiceAccount default/default",
                        Duration.ofMinutes(1),
                        () -> admin.serviceAccounts()
                                        .inNamespace("default")
                                        .withName("default")
                                        .get()
                                != null);
            }
            return node;
        } catch (IOException | RuntimeException | Error e) {
            String logs = node.logTails();
            node.close();
            throw new IllegalStateException("node cluster did not start: " + e.getMessage() + "\n" + logs, e);
        }
    }

    public KubeApiServerPeer api() {
        return api;
    }

    /** A cluster-admin client (system:masters). */
    public KubernetesClient admin() {
        return api.adminClient();
    }

    /** The registry the node pulls from, on {@value #NODE_IP}, plain HTTP. */
    public RegistryPeer registry() {
        return registry;
    }

    /** Where Pods reach a peer listening on 127.0.0.1:{@code port} (for the API server: its port). */
    public static String podReachable(int port) {
        return NODE_IP + ":" + port;
    }

    public Path dir() {
        return dir;
    }

    /**
     * The resident set size (VmRSS, bytes) of the processes in the Pod with this uid, read from its cgroup
     * (cgroupfs driver: {@code <root>/kubepods[/<qos>]/pod<uid>/}) and /proc.
     */
    public long containerRss(String podUid) throws IOException {
        Path kubepods = cgroupHierarchies().stream()
                .filter(h -> h.getFileName().toString().equals("memory") || h.equals(CGROUPS))
                .findFirst()
                .orElseThrow()
                .resolve(CGROUP_ROOT.substring(1))
                .resolve("kubepods");
        long rss = 0;
        try (Stream<Path> files = Files.walk(kubepods)) {
            List<Path> procs = files.filter(p -> p.getFileName().toString().equals("cgroup.procs"))
                    .filter(p -> p.toString().contains("/pod" + podUid + "/"))
                    .toList();
            for (Path f : procs) {
                for (String pid : Files.readAllLines(f)) {
                    if (pid.isBlank()) {
                        continue;
                    }
                    for (String line : Files.readAllLines(Path.of("/proc", pid.strip(), "status"))) {
                        if (line.startsWith("VmRSS:")) {
                            rss += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                        }
                    }
                }
            }
        }
        return rss;
    }

    /**
     * Pushes a new image that runs: {@code /pause} (a static binary that waits for a signal) as its
     * entrypoint, and a random file so that each image has its own digest.
     */
    public ImageFactory.PushedImage pushRunnable(String path, String tag) {
        try {
            Path images = Files.createDirectories(dir.resolve("images"));
            Path rootfs = Files.createTempDirectory(images, "rootfs-");
            Files.copy(pause, rootfs.resolve("pause"));
            byte[] random = new byte[16];
            RANDOM.nextBytes(random);
            Files.writeString(rootfs.resolve("id.txt"), HexFormat.of().formatHex(random));
            Path layout = Files.createTempDirectory(images, "oci-");
            writeLayout(rootfs, layout, tag, List.of("/pause"));
            return ImageFactory.pushLayout(registry, layout, path, tag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an OCI layout holding {@code rootfs} as one layer, with {@code entrypoint}. */
    static void writeLayout(Path rootfs, Path layout, String tag, List<String> entrypoint) throws IOException {
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path tar = layout.resolve("layer.tar");
        Proc.cmd(
                        "tar",
                        "--sort=name",
                        "--owner=0",
                        "--group=0",
                        "--numeric-owner",
                        "--mtime=@0",
                        "-C",
                        rootfs.toString(),
                        "-cf",
                        tar.toString(),
                        ".")
                .run();
        byte[] tarBytes = Files.readAllBytes(tar);
        Files.delete(tar);
        byte[] layer = gzip(tarBytes);
        String layerHex = blob(blobs, layer);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("config", Map.of("Entrypoint", entrypoint));
        config.put(
                "rootfs", Map.of("type", "layers", "diff_ids", List.of("sha256:" + ImageFactory.sha256Hex(tarBytes))));
        byte[] configBytes = JSON.writeValueAsBytes(config);
        String configHex = blob(blobs, configBytes);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", configHex, configBytes.length));
        manifest.put(
                "layers", List.of(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layerHex, layer.length)));
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        String manifestHex = blob(blobs, manifestBytes);
        Map<String, Object> entry =
                descriptor("application/vnd.oci.image.manifest.v1+json", manifestHex, manifestBytes.length);
        entry.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.write(
                layout.resolve("index.json"),
                JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", List.of(entry))));
    }

    private static Map<String, Object> descriptor(String mediaType, String hex, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", "sha256:" + hex);
        d.put("size", size);
        return d;
    }

    private static String blob(Path blobs, byte[] data) throws IOException {
        String hex = ImageFactory.sha256Hex(data);
        Files.write(blobs.resolve(hex), data);
        return hex;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    // ---- start ----

    private void network() {
        Proc.cmd("ip", "link", "add", BRIDGE, "type", "bridge").run();
        Proc.cmd("ip", "addr", "add", NODE_IP + "/24", "dev", BRIDGE).run();
        Proc.cmd("ip", "link", "set", BRIDGE, "up").run();
        write(Path.of("/proc/sys/net/ipv4/conf", BRIDGE, "route_localnet"), "1");
        Proc.cmd("iptables", "-t", "nat", "-N", NAT_CHAIN).run();
        Proc.cmd(
                        "iptables",
                        "-t",
                        "nat",
                        "-A",
                        NAT_CHAIN,
                        "-d",
                        NODE_IP + "/32",
                        "-p",
                        "tcp",
                        "-j",
                        "DNAT",
                        "--to-destination",
                        "127.0.0.1")
                .run();
        Proc.cmd("iptables", "-t", "nat", "-I", "PREROUTING", "-i", BRIDGE, "-j", NAT_CHAIN)
                .run();
    }

    /** A static pause binary (gcc): the sandbox image's entrypoint and every test image's. */
    private Path buildPause() throws IOException {
        Path src = dir.resolve("pause.c");
        Files.writeString(src, """
                #include <signal.h>
                #include <stdlib.h>
                #include <sys/wait.h>
                #include <unistd.h>
                static void stop(int sig) { (void)sig; _exit(0); }
                static void reap(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }
                int main(void) {
                  signal(SIGINT, stop); signal(SIGTERM, stop); signal(SIGCHLD, reap);
                  for (;;) pause();
                }
                """);
        Path bin = dir.resolve("pause");
        Proc.cmd("gcc", "-static", "-Os", "-s", "-o", bin.toString(), src.toString())
                .run();
        return bin;
    }

    private void startContainerd() throws IOException {
        Path d = Files.createDirectories(dir.resolve("containerd"));
        Path certsD = Files.createDirectories(d.resolve("certs.d").resolve(registry.host()));
        Files.writeString(certsD.resolve("hosts.toml"), """
                server = "http://%1$s"
                [host."http://%1$s"]
                  capabilities = ["pull", "resolve"]
                """.formatted(registry.host()));
        Path cni = Files.createDirectories(d.resolve("cni"));
        Files.writeString(
                cni.resolve("10-trustgate-node.conflist"), """
                {"cniVersion": "0.4.0", "name": "trustgate-node", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false, "hairpinMode": true,
                   "ipam": {"type": "host-local", "dataDir": "%s",
                            "ranges": [[{"subnet": "%s", "rangeStart": "10.213.7.10", "gateway": "%s"}]],
                            "routes": [{"dst": "0.0.0.0/0"}]}},
                  {"type": "portmap", "capabilities": {"portMappings": true}},
                  {"type": "loopback"}]}
                """.formatted(BRIDGE, d.resolve("ipam"), SUBNET, NODE_IP));
        Path config = d.resolve("config.toml");
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                [grpc]
                  address = "%1$s/containerd.sock"
                [ttrpc]
                  address = "%1$s/containerd.sock.ttrpc"
                [metrics]
                  address = ""
                [plugins."io.containerd.internal.v1.opt"]
                  path = "%1$s/opt"
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%2$s"
                  disable_apparmor = true
                  netns_mounts_under_state_dir = true
                  # No CAP_SYS_RESOURCE in this machine kind's root: a negative oom_score_adj (the kubelet asks
                  # -998 for every sandbox) fails with EIO and runc with "can't get final child's PID from
                  # pipe: EOF". Clamp to containerd's own score instead, as rootless setups do.
                  restrict_oom_score_adj = true
                  stream_server_address = "127.0.0.1"
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        SystemdCgroup = false
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "%3$s"
                    conf_dir = "%4$s"
                  [plugins."io.containerd.grpc.v1.cri".registry]
                    config_path = "%1$s/certs.d"
                """.formatted(d, pauseImage, CNI_BIN, cni));
        containerd = PeerProcess.start(
                "containerd",
                List.of(which("containerd").orElseThrow().toString(), "--config", config.toString()),
                Map.of("PATH", pathWithSbin()),
                d,
                dir.resolve("containerd.log"));
        processes.add(containerd);
        Path socket = d.resolve("containerd.sock");
        containerd.awaitReady(Duration.ofSeconds(60), () -> Files.exists(socket));
    }

    private Path containerdSocket() {
        return dir.resolve("containerd/containerd.sock");
    }

    private void startControlPlane(Path kubeconfig, TestCa ca) {
        Path bin = kubeBinDir();
        PeerProcess cm = PeerProcess.start(
                "kube-controller-manager",
                List.of(
                        bin.resolve("kube-controller-manager").toString(),
                        "--kubeconfig=" + kubeconfig,
                        "--service-account-private-key-file=" + api.serviceAccountKey(),
                        "--root-ca-file=" + ca.certPem(),
                        "--use-service-account-credentials=false",
                        "--leader-elect=false",
                        "--secure-port=0",
                        "--concurrent-deployment-syncs=5",
                        "--v=1"),
                Map.of(),
                dir,
                dir.resolve("kube-controller-manager.log"));
        processes.add(cm);
        PeerProcess scheduler = PeerProcess.start(
                "kube-scheduler",
                List.of(
                        bin.resolve("kube-scheduler").toString(),
                        "--kubeconfig=" + kubeconfig,
                        "--authentication-kubeconfig=" + kubeconfig,
                        "--authorization-kubeconfig=" + kubeconfig,
                        "--leader-elect=false",
                        "--secure-port=0",
                        "--v=1"),
                Map.of(),
                dir,
                dir.resolve("kube-scheduler.log"));
        processes.add(scheduler);
    }

    private void startKubelet(Path kubeconfig) throws IOException {
        for (Path hierarchy : cgroupHierarchies()) {
            Path root = hierarchy.resolve(CGROUP_ROOT.substring(1));
            Files.createDirectories(root);
            if (hierarchy.getFileName().toString().equals("cpuset")) {
                // a new v1 cpuset has no CPUs or memory nodes until given its parent's
                for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                    write(
                            root.resolve(f),
                            Files.readString(hierarchy.resolve(f)).strip());
                }
            }
        }
        Path kubeletDir = Files.createDirectories(dir.resolve("kubelet"));
        Path config = dir.resolve("kubelet.yaml");
        Files.writeString(config, """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                address: 127.0.0.1
                port: %d
                readOnlyPort: 0
                healthzBindAddress: 127.0.0.1
                healthzPort: %d
                # cgroup v1 on this kernel (hybrid: v1 controllers, an empty unified hierarchy)
                failCgroupV1: false
                cgroupDriver: cgroupfs
                cgroupRoot: %s
                cgroupsPerQOS: true
                enforceNodeAllocatable: [pods]
                failSwapOn: false
                # the kubelet's own score; -999 (its default) cannot be set without CAP_SYS_RESOURCE
                oomScoreAdj: 0
                authentication:
                  anonymous: {enabled: true}
                  webhook: {enabled: false}
                authorization: {mode: AlwaysAllow}
                podLogsDir: %s
                resolvConf: /etc/resolv.conf
                clusterDomain: cluster.local
                serializeImagePulls: false
                maxPods: 30
                evictionHard: {memory.available: "50Mi", nodefs.available: "1%%", imagefs.available: "1%%", nodefs.inodesFree: "1%%"}
                imageGCHighThresholdPercent: 100
                imageGCLowThresholdPercent: 99
                nodeStatusUpdateFrequency: 5s
                syncFrequency: 10s
                fileCheckFrequency: 10s
                shutdownGracePeriod: 0s
                """.formatted(
                        Ports.free(), Ports.free(), CGROUP_ROOT, Files.createDirectories(dir.resolve("pod-logs"))));
        PeerProcess kubelet = PeerProcess.start(
                "kubelet",
                List.of(
                        kubeBinDir().resolve("kubelet").toString(),
                        "--kubeconfig=" + kubeconfig,
                        "--config=" + config,
                        "--container-runtime-endpoint=unix://" + containerdSocket(),
                        "--root-dir=" + kubeletDir,
                        "--cert-dir=" + Files.createDirectories(dir.resolve("kubelet-pki")),
                        "--hostname-override=" + NODE_NAME,
                        "--node-ip=" + NODE_IP,
                        "--v=1"),
                Map.of("PATH", pathWithSbin()),
                dir,
                dir.resolve("kubelet.log"));
        processes.add(kubelet);
    }

    private boolean ready(KubernetesClient admin) {
        for (PeerProcess p : processes) {
            if (!p.isAlive()) {
                throw new IllegalStateException(p.log().getFileName() + " exited; log:\n" + p.tail());
            }
        }
        Node node = admin.nodes().withName(NODE_NAME).get();
        return node != null
                && node.getStatus() != null
                && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                        .anyMatch(c ->
                                c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private String logTails() {
        StringBuilder out = new StringBuilder();
        for (PeerProcess p : processes) {
            out.append("--- ").append(p.log()).append('\n').append(p.tail()).append('\n');
        }
        return out.toString();
    }

    // ---- teardown ----

    /** Tears the cluster down; idempotent. */
    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is this teardown
        }
    }

    private void teardown() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // kubelet first (it would restart containers), then the control plane
        for (int i = processes.size() - 1; i >= 0; i--) {
            if (processes.get(i) != containerd) {
                processes.get(i).stop();
            }
        }
        if (api != null) {
            api.close();
        }
        teardownLeftovers();
        if (containerd != null) {
            containerd.stop();
        }
        teardownLeftovers();
        if (registry != null) {
            registry.close();
        }
    }

    /**
     * Removes whatever a cluster started in this folder may have left: processes in its cgroups and containerd
     * shims of its socket (by PID), containerd of this folder, mounts under the folder, the bridge and NAT chain,
     * the cgroups and the kubelet's log links. Safe when nothing is left.
     */
    void teardownLeftovers() {
        String socket = containerdSocket().toString();
        for (int round = 0; round < 10; round++) {
            List<ProcessHandle> left = new ArrayList<>(processesInCgroups());
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().arguments().map(List::of).orElse(List.of()).stream()
                            .anyMatch(a -> a.contains(dir + "/") || a.contains(dir + "-")))
                    .filter(p -> !p.equals(ProcessHandle.current()))
                    .forEach(left::add);
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains(socket))
                    .forEach(left::add);
            if (left.isEmpty()) {
                break;
            }
            left.forEach(ProcessHandle::destroyForcibly);
            PeerProcess.sleep(200);
        }
        unmountUnder(dir);
        if (Files.exists(Path.of("/sys/class/net", BRIDGE))) {
            Proc.cmd("ip", "link", "del", BRIDGE).runAllowingFailure();
        }
        while (Proc.cmd("iptables", "-t", "nat", "-D", "PREROUTING", "-i", BRIDGE, "-j", NAT_CHAIN)
                .runAllowingFailure()
                .ok()) {
            // a rule added twice by a killed run is removed twice
        }
        Proc.cmd("iptables", "-t", "nat", "-F", NAT_CHAIN).runAllowingFailure();
        Proc.cmd("iptables", "-t", "nat", "-X", NAT_CHAIN).runAllowingFailure();
        removeCgroups();
        removeLogLinks();
        removeCniResults();
        EtcdPeer.deleteTree(dir.resolve("containerd"));
        EtcdPeer.deleteTree(dir.resolve("kubelet"));
    }

    /**
     * What of this cluster is still on the machine (empty after {@link #close()}): processes in its cgroups or
     * naming its folder, mounts under the folder, the bridge, the NAT chain, cgroups.
     */
    public List<String> leftovers() {
        List<String> out = new ArrayList<>();
        processesInCgroups().forEach(p -> out.add("process " + p.pid() + " in the node's cgroups"));
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dir + "/")
                        || p.info().commandLine().orElse("").contains(dir + "-"))
                .filter(p -> !p.equals(ProcessHandle.current()))
                .forEach(p -> out.add(
                        "process " + p.pid() + ": " + p.info().commandLine().orElse("")));
        try {
            Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> l.split(" ")[4])
                    .filter(m -> m.startsWith(dir + "/"))
                    .forEach(m -> out.add("mount " + m));
        } catch (IOException e) {
            out.add("cannot read mounts: " + e);
        }
        if (Files.exists(Path.of("/sys/class/net", BRIDGE))) {
            out.add("interface " + BRIDGE);
        }
        if (Proc.cmd("iptables", "-t", "nat", "-S", NAT_CHAIN)
                .runAllowingFailure()
                .ok()) {
            out.add("iptables nat chain " + NAT_CHAIN);
        }
        for (Path hierarchy : cgroupHierarchies()) {
            if (Files.isDirectory(hierarchy.resolve(CGROUP_ROOT.substring(1)))) {
                out.add("cgroup " + hierarchy.resolve(CGROUP_ROOT.substring(1)));
            }
        }
        return out;
    }

    private List<ProcessHandle> processesInCgroups() {
        List<ProcessHandle> out = new ArrayList<>();
        for (Path hierarchy : cgroupHierarchies()) {
            Path root = hierarchy.resolve(CGROUP_ROOT.substring(1));
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path procs : files.filter(p -> p.getFileName().toString().equals("cgroup.procs"))
                        .toList()) {
                    for (String line : Files.readAllLines(procs)) {
                        if (!line.isBlank()) {
                            ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(out::add);
                        }
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // a cgroup removed while walking: the next round looks again
            }
        }
        return out;
    }

    private static void unmountUnder(Path dir) {
        for (int round = 0; round < 5; round++) {
            List<String> mounts;
            try {
                mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                        .map(l -> l.split(" ")[4].replace("\\040", " "))
                        .filter(m -> m.startsWith(dir.toString() + "/"))
                        .sorted(Comparator.comparingInt(String::length).reversed())
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (mounts.isEmpty()) {
                return;
            }
            for (String m : mounts) {
                Proc.cmd("umount", m).runAllowingFailure();
            }
            if (round >= 2) {
                mounts.forEach(m -> Proc.cmd("umount", "-l", m).runAllowingFailure());
            }
        }
    }

    private static void removeCgroups() {
        for (Path hierarchy : cgroupHierarchies()) {
            Path root = hierarchy.resolve(CGROUP_ROOT.substring(1));
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> dirs = Files.walk(root)) {
                // only directories are removed: a cgroup's files go with it
                for (Path d : dirs.filter(Files::isDirectory)
                        .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                        .toList()) {
                    try {
                        Files.delete(d);
                    } catch (IOException e) {
                        // still busy; reported by the next start's teardown at the latest
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // gone meanwhile
            }
        }
    }

    private void removeLogLinks() {
        if (!Files.isDirectory(CONTAINER_LOG_LINKS)) {
            return;
        }
        try (Stream<Path> links = Files.list(CONTAINER_LOG_LINKS)) {
            for (Path link : links.filter(Files::isSymbolicLink).toList()) {
                if (Files.readSymbolicLink(link).startsWith(dir)) {
                    Files.deleteIfExists(link);
                }
            }
        } catch (IOException e) {
            // nothing of ours there
        }
    }

    /**
     * containerd 1.6 caches CNI results in /var/lib/cni/results/{@code <network>-<sandbox id>-<interface>}
     * (not configurable there), removed only by a CNI DEL that a killed sandbox never gets: remove those of
     * this node's sandboxes, named by the CRI plugin's sandbox folders.
     */
    private void removeCniResults() {
        Path sandboxes = dir.resolve("containerd/root/io.containerd.grpc.v1.cri/sandboxes");
        Path results = Path.of("/var/lib/cni/results");
        if (!Files.isDirectory(sandboxes) || !Files.isDirectory(results)) {
            return;
        }
        try (Stream<Path> ids = Files.list(sandboxes);
                Stream<Path> cached = Files.list(results)) {
            List<String> ours = ids.map(p -> "-" + p.getFileName() + "-").toList();
            for (Path f : cached.toList()) {
                String n = f.getFileName().toString();
                if (ours.stream().anyMatch(n::contains)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            // nothing of ours there
        }
    }

    /** The cgroup hierarchies: every v1 controller folder (and the unified one), or the v2 root. */
    static List<Path> cgroupHierarchies() {
        if (Files.exists(CGROUPS.resolve("cgroup.controllers"))) {
            return List.of(CGROUPS);
        }
        try (Stream<Path> dirs = Files.list(CGROUPS)) {
            return dirs.filter(Files::isDirectory)
                    .filter(d -> !Files.isSymbolicLink(d))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    // ---- helpers ----

    private static Optional<Path> which(String tool) {
        for (String d : pathWithSbin().split(":")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String pathWithSbin() {
        return Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin") + ":/usr/sbin:/sbin";
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
