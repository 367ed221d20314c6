package io.trustgate.notary;

import static io.trustgate.notary.RepoBuilder.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.tuf.Limits;
import io.trustgate.tuf.RootPins;
import io.trustgate.tuf.SignatureVerifier;
import io.trustgate.tuf.TestKey;
import io.trustgate.tuf.ThresholdNotMetException;
import java.lang.management.ManagementFactory;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Notary update at the delegation bound stays under the 32 MiB allocation target of issue 10 (the figure is
 * BoundsBench's), and the verifications past {@link SignatureVerifier#FAST_P256_VERIFICATIONS} still refuse a bad
 * signature.
 */
class DelegationAllocationTest {

    private static final String GUN = "registry.example.test/team/app";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final long TARGET_BYTES = 32L * 1024 * 1024;

    @Test
    @DisplayName(
            "an update loading 256 one-key delegations allocates under 32 MiB; a badly signed one past the first 32"
                    + " verifications is left out as not meeting its threshold, the other 255 load")
    void delegationBoundUnderTheTarget() {
        InMemoryNotaryServer server = new InMemoryNotaryServer();
        RepoBuilder repo = new RepoBuilder(GUN, NOW);
        int count = Math.min(Limits.DEFAULT.maxDelegations(), Limits.MAX_KEYS_PER_FILE);
        int bad = count - 10;
        assertThat(bad).isGreaterThan(SignatureVerifier.FAST_P256_VERIFICATIONS + 4);
        for (int i = 0; i < count; i++) {
            TestKey key = TestKey.ecdsa();
            RepoBuilder.Delegation d = repo.delegate("targets/team" + i, key);
            d.targets.put("1." + i, hex('a'));
            if (i == bad) {
                // names the assigned key but signs with another private key: only the cryptography can tell
                TestKey impostor = new TestKey(
                        key.keyType(),
                        new KeyPair(
                                key.pair().getPublic(), TestKey.ecdsa().pair().getPrivate()),
                        key.publicB64(),
                        key.method(),
                        null);
                d.signers = List.of(impostor);
            }
        }
        repo.publish(server);
        NotaryClient client = new NotaryClient(server, Clock.fixed(NOW, ZoneOffset.UTC), Limits.DEFAULT);
        RootPins pins = RootPins.of(repo.rootKey.publicPem());
        client.update(GUN, pins).join(); // classes loaded, JIT under way: not what is measured

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        TrustedRepository trusted = client.update(GUN, pins).join();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        System.out.printf("update loading %d delegations: %.1f MiB allocated%n", count, allocated / 1048576.0);

        assertThat(allocated).isLessThan(TARGET_BYTES);
        assertThat(trusted.roles()).hasSize(count); // targets and every good delegation
        assertThat(trusted.role("targets/team" + (count - 1))).isPresent();
        assertThat(trusted.role("targets/team" + bad)).isEmpty();
        assertThat(trusted.rejectedRoles()).singleElement().satisfies(r -> {
            assertThat(r.role()).isEqualTo("targets/team" + bad);
            assertThat(r.error()).isInstanceOf(ThresholdNotMetException.class);
        });
    }
}
