package io.trustgate.notary;

import static io.trustgate.notary.RepoBuilder.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.trustgate.tuf.LimitExceededException;
import io.trustgate.tuf.Limits;
import io.trustgate.tuf.RootPins;
import io.trustgate.tuf.TestKey;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The TUF bounds of issue 10: signatures per role file, delegations per update, keys per role and keys per file,
 * each just over and at.
 */
@DisplayName("TUF bounds")
class TufBoundsTest {

    private static final String GUN = "registry.example.test/team/app";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    private final InMemoryNotaryServer server = new InMemoryNotaryServer();
    private final RepoBuilder repo = new RepoBuilder(GUN, NOW);

    private TrustedRepository update(Limits limits) {
        return new NotaryClient(server, Clock.fixed(NOW, ZoneOffset.UTC), limits)
                .update(GUN, RootPins.of(repo.rootKey.publicPem()))
                .join();
    }

    private LimitExceededException limitFailure(Limits limits) {
        Throwable t = catchThrowable(() -> update(limits));
        assertThat(t).isInstanceOf(CompletionException.class);
        assertThat(t.getCause()).isInstanceOf(LimitExceededException.class);
        return (LimitExceededException) t.getCause();
    }

    @Test
    @DisplayName("a one-key role file with one signature more than the allowance fails before any is verified")
    void signaturesJustOverTheAllowance() {
        TestKey key = repo.targetsKeys.get(0);
        repo.targetsSigners = Collections.nCopies(Limits.MIN_SIGNATURES + 1, key);
        repo.publish(server);

        LimitExceededException e = limitFailure(Limits.DEFAULT);

        assertThat(e.role()).isEqualTo("targets");
        assertThat(e.limit()).isEqualTo("signatures");
        assertThat(e.maximum()).isEqualTo(Limits.MIN_SIGNATURES);
        assertThat(e.getMessage()).contains("more than " + Limits.MIN_SIGNATURES + " signatures");
    }

    @Test
    @DisplayName("a one-key role file at the allowance verifies (the duplicates count once)")
    void signaturesAtTheAllowance() {
        repo.targets.put("1.0", hex('a'));
        repo.targetsSigners = Collections.nCopies(Limits.MIN_SIGNATURES, repo.targetsKeys.get(0));
        repo.publish(server);

        assertThat(update(Limits.DEFAULT).dockerTarget("1.0")).isPresent();
    }

    @Test
    @DisplayName("a 32-key role: 64 signatures (the most allowed) verify; 65 fail at the bound")
    void largestRoleAtAndOverTheBound() {
        List<TestKey> keys = IntStream.range(0, Limits.MAX_SIGNATURES / Limits.SIGNATURES_PER_KEY)
                .mapToObj(i -> TestKey.ecdsa())
                .toList();
        List<TestKey> signers = new ArrayList<>(keys);
        signers.addAll(keys);
        repo.targets.put("1.0", hex('a'));
        repo.targetsKeys = keys;
        repo.targetsSigners = signers;
        repo.publish(server);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        assertThat(update(Limits.DEFAULT).dockerTarget("1.0")).isPresent();
        System.out.printf(
                "targets file with %d keys and %d signatures: %.1f ms CPU for the whole update%n",
                keys.size(), signers.size(), (threads.getCurrentThreadCpuTime() - cpu) / 1e6);

        signers.add(keys.get(0));
        repo.targetsVersion++;
        repo.publish(server);
        LimitExceededException e = limitFailure(Limits.DEFAULT);
        assertThat(e.maximum()).isEqualTo(Limits.MAX_SIGNATURES);
    }

    @Test
    @DisplayName("one delegation more than the limit fails the update; exactly at the limit loads")
    void delegationsJustOverTheLimit() {
        repo.delegate("targets/releases", TestKey.ecdsa()).targets.put("1.0", hex('a'));
        repo.delegate("targets/qa", TestKey.ecdsa()).targets.put("1.1", hex('b'));
        repo.publish(server);
        Limits two = new Limits(Limits.DEFAULT.maxMetadataBytes(), 2, Limits.DEFAULT.maxRootRotations());
        Limits one = new Limits(Limits.DEFAULT.maxMetadataBytes(), 1, Limits.DEFAULT.maxRootRotations());

        assertThat(update(two).role("targets/qa")).isPresent();
        LimitExceededException e = limitFailure(one);
        assertThat(e.limit()).isEqualTo("delegations");
        assertThat(e.maximum()).isEqualTo(1);
    }

    private static List<TestKey> ecdsaKeys(int count) {
        return IntStream.range(0, count).mapToObj(i -> TestKey.ecdsa()).toList();
    }

    @Test
    @DisplayName("root giving the targets role one key more than the bound fails on the count; at the bound it loads")
    void rootRoleKeysAtAndOverTheBound() {
        List<TestKey> keys = ecdsaKeys(Limits.MAX_KEYS_PER_ROLE);
        repo.targets.put("1.0", hex('a'));
        repo.targetsKeys = keys;
        repo.targetsSigners = List.of(keys.get(0));
        repo.publish(server);
        assertThat(update(Limits.DEFAULT).dockerTarget("1.0")).isPresent();

        List<TestKey> over = new ArrayList<>(keys);
        over.add(TestKey.ecdsa());
        repo.targetsKeys = over;
        repo.publish(server);
        LimitExceededException e = limitFailure(Limits.DEFAULT);
        assertThat(e.role()).isEqualTo("root");
        assertThat(e.limit()).isEqualTo("keys for role targets");
        assertThat(e.maximum()).isEqualTo(Limits.MAX_KEYS_PER_ROLE);
        assertThat(e.getMessage())
                .isEqualTo("more than " + Limits.MAX_KEYS_PER_ROLE + " keys for role targets while loading root");
    }

    @Test
    @DisplayName("a delegation listing one key id more than the bound fails the update; at the bound it loads")
    void delegationKeysAtAndOverTheBound() {
        List<TestKey> keys = ecdsaKeys(Limits.MAX_KEYS_PER_ROLE);
        RepoBuilder.Delegation releases = repo.delegate("targets/releases", keys.get(0));
        releases.keys = keys;
        releases.signers = List.of(keys.get(0));
        releases.targets.put("1.0", hex('a'));
        repo.publish(server);
        assertThat(update(Limits.DEFAULT).role("targets/releases")).isPresent();

        List<TestKey> over = new ArrayList<>(keys);
        over.add(TestKey.ecdsa());
        releases.keys = over;
        repo.targetsVersion++;
        repo.publish(server);
        LimitExceededException e = limitFailure(Limits.DEFAULT);
        assertThat(e.role()).isEqualTo("targets");
        assertThat(e.limit()).isEqualTo("keys for role targets/releases");
        assertThat(e.maximum()).isEqualTo(Limits.MAX_KEYS_PER_ROLE);
    }

    @Test
    @DisplayName("a targets file defining one delegation key more than the bound fails on the count; at it loads")
    void keysPerFileAtAndOverTheBound() {
        List<TestKey> keys = ecdsaKeys(Limits.MAX_KEYS_PER_FILE);
        int perRole = Limits.MAX_KEYS_PER_ROLE;
        for (int i = 0; i < keys.size() / perRole; i++) {
            RepoBuilder.Delegation d = repo.delegate("targets/team" + i, keys.get(i * perRole));
            d.keys = keys.subList(i * perRole, (i + 1) * perRole);
            d.signers = List.of(d.keys.get(0));
        }
        repo.delegations.get(0).targets.put("1.0", hex('a'));
        repo.publish(server);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        assertThat(update(Limits.DEFAULT).role("targets/team0")).isPresent();
        System.out.printf(
                "targets file with %d delegation keys (%d delegations): %.1f ms CPU for the whole update%n",
                keys.size(), repo.delegations.size(), (threads.getCurrentThreadCpuTime() - cpu) / 1e6);

        repo.delegate("targets/one-more", TestKey.ecdsa());
        repo.targetsVersion++;
        repo.publish(server);
        LimitExceededException e = limitFailure(Limits.DEFAULT);
        assertThat(e.role()).isEqualTo("targets");
        assertThat(e.limit()).isEqualTo("keys in the file");
        assertThat(e.maximum()).isEqualTo(Limits.MAX_KEYS_PER_FILE);
        assertThat(e.getMessage()).contains("more than " + Limits.MAX_KEYS_PER_FILE + " keys in the file");
    }
}
