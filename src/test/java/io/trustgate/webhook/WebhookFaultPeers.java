package io.trustgate.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.Ports;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import io.trustgate.testing.ToxiproxyPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The peers of {@link WebhookFaultTest}, started before the application: a docker-registry and a lookaside
 * store, each behind a Toxiproxy proxy that the policy names, one image signed by alice through the proxy,
 * and a short review deadline with caches off so each review meets the fault.
 */
public class WebhookFaultPeers implements QuarkusTestResourceLifecycleManager {

    /** Everything the test needs; injected into fields of this type. */
    public record Peers(
            TestCa ca,
            int port,
            ToxiproxyPeer.Proxy registry,
            ToxiproxyPeer.Proxy lookaside,
            ImageFactory.PushedImage image) {}

    /** The review budget the webhook runs with in this test. */
    public static final java.time.Duration DEADLINE = java.time.Duration.ofSeconds(3);

    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryPeer registry;
    private LookasidePeer lookaside;
    private GpgPeer gpg;
    private ToxiproxyPeer toxiproxy;
    private Peers peers;

    @Override
    public Map<String, String> start() {
        try {
            Path base = Files.createTempDirectory(PeerProcess.peerDir("webhook-faults"), "run-");
            TestCa ca = TestCa.create(base.resolve("ca"));
            TestCa.Issued tls = ca.issueServer("trustgate");
            registry = RegistryPeer.builder("webhook-faults-registry").start();
            lookaside = LookasidePeer.serve("webhook-faults-lookaside", base.resolve("lookaside"));
            gpg = GpgPeer.create();
            String alice = gpg.generateKey("Alice", "alice@example.test");
            toxiproxy = ToxiproxyPeer.start("webhook-faults-toxiproxy");
            ToxiproxyPeer.Proxy registryProxy = toxiproxy.proxy("registry", registry.host());
            ToxiproxyPeer.Proxy lookasideProxy =
                    toxiproxy.proxy("lookaside", lookaside.baseUrl().replaceFirst("^http://", ""));

            ImageFactory.PushedImage pushed = ImageFactory.pushRandom(registry, "faults/e2e/app", "1.0");
            ImageFactory.PushedImage image = new ImageFactory.PushedImage(
                    registryProxy.host(),
                    pushed.path(),
                    pushed.tag(),
                    pushed.digest(),
                    pushed.mediaType(),
                    pushed.manifest());
            gpg.signImage(alice, image.reference(), lookaside.root());

            Path policies = Files.createDirectories(base.resolve("policies"));
            ObjectNode policy = JSON.createObjectNode()
                    .put("apiVersion", "trustgate.io/v1alpha1")
                    .put("kind", "ClusterTrustPolicy");
            policy.putObject("metadata").put("name", "faults-e2e");
            ObjectNode spec = policy.putObject("spec")
                    .put("mode", "Enforce")
                    .put("lookaside", "http://" + lookasideProxy.host())
                    .put("minSignatures", 1);
            spec.putArray("images").add(registryProxy.host() + "/faults/e2e/**");
            spec.putArray("signers")
                    .addObject()
                    .put("name", "alice")
                    .putArray("keys")
                    .add(gpg.exportPublic(alice));
            Files.writeString(policies.resolve("faults-e2e.json"), JSON.writeValueAsString(policy));

            int port = Ports.free();
            peers = new Peers(ca, port, registryProxy, lookasideProxy, image);
            return Map.ofEntries(
                    Map.entry("trustgate.tls.cert", tls.certPem().toString()),
                    Map.entry("trustgate.tls.key", tls.keyPem().toString()),
                    Map.entry("trustgate.policies-dir", policies.toString()),
                    Map.entry("trustgate.deadline", DEADLINE.toMillis() + "ms"),
                    Map.entry("trustgate.upstream.request-timeout", "2s"),
                    Map.entry("trustgate.upstream.connect-timeout", "1500ms"),
                    Map.entry("trustgate.cache.tag-ttl", "0s"),
                    Map.entry("trustgate.cache.signature-ttl", "0s"),
                    Map.entry("trustgate.cache.verdict-ttl", "0s"),
                    Map.entry("trustgate.cache.failure-ttl", "0s"),
                    Map.entry("trustgate.cache.stale-if-error", "0s"),
                    Map.entry("trustgate.insecure-registries", registryProxy.host()),
                    Map.entry("quarkus.http.test-ssl-port", String.valueOf(port)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(peers, new TestInjector.MatchesType(Peers.class));
    }

    @Override
    public void stop() {
        for (AutoCloseable c : new AutoCloseable[] {toxiproxy, registry, lookaside, gpg}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort: the next peer still gets stopped
            }
        }
    }
}
