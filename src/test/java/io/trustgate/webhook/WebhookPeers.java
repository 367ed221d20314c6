package io.trustgate.webhook;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.Ports;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the real peers trustgate's webhook tests need before the application starts: an open and a
 * password-protected docker-registry, a lookaside store served over HTTP, gpg with three keys, a TLS
 * certificate from a test CA, and an empty policy directory the tests write into.
 */
public class WebhookPeers implements QuarkusTestResourceLifecycleManager {

    /** Everything a test needs to reach the peers; injected into fields of this type. */
    public record Peers(
            Path base,
            TestCa ca,
            RegistryPeer registry,
            RegistryPeer secured,
            LookasidePeer lookaside,
            GpgPeer gpg,
            String alice,
            String bob,
            String mallory,
            Path policies,
            int port) {}

    /** The tag cache lifetime the tests run with. */
    public static final java.time.Duration TAG_TTL = java.time.Duration.ofSeconds(1);

    private Peers peers;

    @Override
    public Map<String, String> start() {
        try {
            Path base = Files.createTempDirectory("tg-webhook-");
            TestCa ca = TestCa.create(base.resolve("ca"));
            TestCa.Issued tls = ca.issueServer("trustgate");
            RegistryPeer registry = RegistryPeer.builder("open").start();
            RegistryPeer secured = RegistryPeer.builder("secured")
                    .basicAuth("puller", "s3cret-pass")
                    .start();
            LookasidePeer lookaside = LookasidePeer.serve("lookaside", base.resolve("lookaside"));
            GpgPeer gpg = GpgPeer.create();
            String alice = gpg.generateKey("Alice", "alice@example.test");
            String bob = gpg.generateKey("Bob", "bob@example.test");
            String mallory = gpg.generateKey("Mallory", "mallory@example.test");
            Path policies = Files.createDirectories(base.resolve("policies"));
            int port = Ports.free();
            peers = new Peers(base, ca, registry, secured, lookaside, gpg, alice, bob, mallory, policies, port);
            return Map.of(
                    "trustgate.tls.cert", tls.certPem().toString(),
                    "trustgate.tls.key", tls.keyPem().toString(),
                    "trustgate.policies-dir", policies.toString(),
                    "trustgate.policies-reload", "100ms",
                    // Short enough for the moved-tag case to wait it out; the caches stay on as in production.
                    "trustgate.cache.tag-ttl", TAG_TTL.toMillis() + "ms",
                    "trustgate.insecure-registries", registry.host() + "," + secured.host(),
                    // The lookaside peer is on loopback, which TrustPolicies may name only when an admin allows it.
                    "trustgate.namespaced-url-prefixes", lookaside.baseUrl(),
                    "quarkus.http.test-ssl-port", String.valueOf(port));
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
        if (peers != null) {
            peers.registry().close();
            peers.secured().close();
            peers.lookaside().close();
            peers.gpg().close();
        }
    }
}
