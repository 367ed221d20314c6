package io.trustgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code trustgate check} against a real docker-registry and a lookaside store that both serve HTTPS with
 * certificates of a private CA, and a GPG signature made by {@code skopeo copy --sign-by}: admitted when the CA is
 * configured (a bundle, or a certs.d directory), denied with "certificate not trusted" when it is not; and a
 * setting that does not parse is a configuration error in one line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("trustgate check with upstreams behind a private CA")
class CheckCommandTlsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path base;
    private TestCa privateCa;
    private RegistryPeer registry;
    private LookasidePeer lookaside;
    private GpgPeer gpg;
    private Path policies;
    private PushedImage signed;

    @BeforeAll
    void start() throws Exception {
        base = Files.createTempDirectory("tg-cli-tls-");
        privateCa = TestCa.create(base.resolve("private-ca"));
        registry = RegistryPeer.builder("cli-tls-registry").tls(privateCa).start();
        lookaside = LookasidePeer.serveTls("cli-tls-lookaside", base.resolve("lookaside"), privateCa);
        gpg = GpgPeer.create();
        String alice = gpg.generateKey("Alice", "alice@example.test");
        policies = Files.createDirectories(base.resolve("policies"));
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", "ClusterTrustPolicy");
        p.putObject("metadata").put("name", "private-ca");
        ObjectNode spec = p.putObject("spec");
        spec.put("mode", "Enforce");
        spec.putArray("images").add(registry.host() + "/tls/**");
        spec.put("lookaside", lookaside.baseUrl());
        spec.putArray("signers")
                .addObject()
                .put("name", "alice")
                .putArray("keys")
                .add(gpg.exportPublic(alice));
        spec.put("minSignatures", 1);
        Files.writeString(policies.resolve("private-ca.json"), JSON.writeValueAsString(p));
        signed = ImageFactory.pushRandom(registry, "tls/app", "1.0");
        gpg.signImage(alice, signed.reference(), lookaside.root());
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {registry, lookaside, gpg}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private CliRun check(Map<String, String> env, String... flags) {
        String[] args = new String[flags.length + 4];
        args[0] = "check";
        args[1] = "--policies";
        args[2] = policies.toString();
        System.arraycopy(flags, 0, args, 3, flags.length);
        args[args.length - 1] = signed.reference();
        return CliRun.of(env, args);
    }

    /** certs.d with the private CA for each host. */
    private Path certsDir(String name, String... hosts) throws Exception {
        Path dir = base.resolve(name);
        for (String host : hosts) {
            Files.createDirectories(dir.resolve(host));
            Files.copy(privateCa.certPem(), dir.resolve(host).resolve("ca.crt"));
        }
        return dir;
    }

    @Test
    @DisplayName("with --ca-bundle (or TRUSTGATE_CA_BUNDLE) the image is ALLOWED")
    void allowedWithBundle() {
        CliRun flag = check(Map.of(), "--ca-bundle", privateCa.certPem().toString());
        assertThat(flag.code()).as(flag.describe()).isEqualTo(0);
        assertThat(flag.out()).startsWith("ALLOWED image/" + signed.reference());
        CliRun env = check(Map.of("TRUSTGATE_CA_BUNDLE", privateCa.certPem().toString()));
        assertThat(env.code()).as(env.describe()).isEqualTo(0);
    }

    @Test
    @DisplayName(
            "with TRUSTGATE_CERTS_DIR (or --certs-dir) holding the CA for the registry and the lookaside host, ALLOWED")
    void allowedWithCertsDir() throws Exception {
        Path dir = certsDir("certs-both", registry.host(), lookaside.host());
        CliRun env = check(Map.of("TRUSTGATE_CERTS_DIR", dir.toString()));
        assertThat(env.code()).as(env.describe()).isEqualTo(0);
        CliRun flag = check(Map.of(), "--certs-dir", dir.toString());
        assertThat(flag.code()).as(flag.describe()).isEqualTo(0);
    }

    @Test
    @DisplayName(
            "without the CA the image is DENIED: the certificate of the registry is not trusted, and the message names it")
    void deniedWithoutCa() {
        CliRun run = check(Map.of());
        assertThat(run.code()).as(run.describe()).isEqualTo(1);
        assertThat(run.out())
                .startsWith("DENIED image/" + signed.reference())
                .contains("certificate not trusted")
                .contains(registry.host());
    }

    @Test
    @DisplayName(
            "a CA for the registry alone does not reach the lookaside store on another port: DENIED, naming that store")
    void perHostCaIsNotSharedWithAnotherHost() throws Exception {
        CliRun run = check(Map.of(
                "TRUSTGATE_CERTS_DIR",
                certsDir("certs-registry-only", registry.host()).toString()));
        assertThat(run.code()).as(run.describe()).isEqualTo(1);
        assertThat(run.out()).contains("certificate not trusted").contains(lookaside.host());
    }

    @Test
    @DisplayName(
            "a CA bundle that does not parse, or TRUSTGATE_DEADLINE=abc, is a configuration error: exit 2, one line naming it")
    void badSettings() throws Exception {
        Path garbage = Files.writeString(
                base.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        CliRun ca = check(Map.of(), "--ca-bundle", garbage.toString());
        assertThat(ca.code()).as(ca.describe()).isEqualTo(2);
        assertThat(ca.err().lines())
                .singleElement()
                .asString()
                .startsWith("trustgate: invalid configuration: TRUSTGATE_CA_BUNDLE=\"" + garbage + "\"");
        CliRun deadline = check(Map.of("TRUSTGATE_DEADLINE", "abc"));
        assertThat(deadline.code()).as(deadline.describe()).isEqualTo(2);
        assertThat(deadline.err().lines())
                .singleElement()
                .asString()
                .startsWith("trustgate: invalid configuration: TRUSTGATE_DEADLINE=\"abc\"");
        assertThat(deadline.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    @DisplayName("check honours the webhook's settings: TRUSTGATE_DEADLINE bounds the review like the webhook's")
    void honoursDeadline() {
        // 1 ms cannot cover a TLS handshake, a token-less resolve and a signature read: the webhook's deadline
        // denial, not a verdict reached with the 8 s default.
        CliRun run = check(Map.of(
                "TRUSTGATE_DEADLINE",
                "1ms",
                "TRUSTGATE_CA_BUNDLE",
                privateCa.certPem().toString()));
        assertThat(run.code()).as(run.describe()).isEqualTo(1);
        assertThat(run.out()).contains("no answer within");
    }
}
