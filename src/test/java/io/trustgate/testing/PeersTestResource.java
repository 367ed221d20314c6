package io.trustgate.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Quarkus test resource that starts a {@link RegistryPeer} and a {@link LookasidePeer} (serving an empty
 * directory that {@link GpgPeer#signImage} can fill) before the application, and hands their addresses to it.
 *
 * <pre>{@code
 * @QuarkusTest
 * @QuarkusTestResource(value = PeersTestResource.class, initArgs = @ResourceArg(name = "auth", value = "basic"))
 * class AdmissionIT {
 *     @Test void signed() {
 *         ImageFactory.PushedImage image = ImageFactory.pushRandom(PeersTestResource.registry(), "demo/app", "1.0");
 *         ... gpg.signImage(fpr, image.reference(), PeersTestResource.lookasideDir(), "alice", "s3cret") ...
 *     }
 * }
 * }</pre>
 *
 * <p>Init args: {@code auth} = {@code none} (default), {@code basic} or {@code token} (user {@code alice},
 * password {@code s3cret}). Properties given to the application: {@code trustgate.insecure-registries} (the
 * registry's {@code host:port}), {@code trustgate.test.registry.host}, {@code trustgate.test.lookaside.url},
 * {@code trustgate.test.lookaside.dir}. One resource per test JVM at a time (the accessors are static).
 */
public class PeersTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String USER = "alice";
    public static final String PASSWORD = "s3cret";

    private static volatile RegistryPeer registry;
    private static volatile LookasidePeer lookaside;

    private String auth = "none";

    @Override
    public void init(Map<String, String> initArgs) {
        auth = initArgs.getOrDefault("auth", "none");
    }

    @Override
    public Map<String, String> start() {
        RegistryPeer.Builder builder = RegistryPeer.builder("quarkus-registry-" + auth);
        switch (auth) {
            case "none" -> { }
            case "basic" -> builder.basicAuth(USER, PASSWORD);
            case "token" -> builder.tokenAuth(TokenServer.create("quarkus-token").user(USER, PASSWORD).start(), USER,
                    PASSWORD);
            default -> throw new IllegalArgumentException("auth must be none, basic or token, not " + auth);
        }
        registry = builder.start();
        Path dir = PeerProcess.peerDir("quarkus-lookaside").resolve("signatures");
        lookaside = LookasidePeer.serve("quarkus-lookaside", dir);
        return Map.of(
                "trustgate.insecure-registries", registry.host(),
                "trustgate.test.registry.host", registry.host(),
                "trustgate.test.lookaside.url", lookaside.baseUrl(),
                "trustgate.test.lookaside.dir", lookaside.root().toString());
    }

    @Override
    public void stop() {
        if (lookaside != null) {
            lookaside.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    /** The running registry. */
    public static RegistryPeer registry() {
        return registry;
    }

    /** The running lookaside server. */
    public static LookasidePeer lookaside() {
        return lookaside;
    }

    /** The directory the lookaside server serves: sign into it. */
    public static Path lookasideDir() {
        return lookaside.root();
    }
}
