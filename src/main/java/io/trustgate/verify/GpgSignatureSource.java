package io.trustgate.verify;

import io.trustgate.image.ImageReference;
import io.trustgate.lookaside.LookasideStore;
import io.trustgate.lookaside.LookasideUnavailableException;
import io.trustgate.pgp.PgpKeyException;
import io.trustgate.pgp.PgpKeys;
import io.trustgate.pgp.SignatureCheck;
import io.trustgate.pgp.SignedIdentity;
import io.trustgate.pgp.SimpleSigning;
import io.trustgate.policy.InvalidPolicyException;
import io.trustgate.policy.Policy;
import io.trustgate.policy.Signer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * GPG "simple signing" signatures from a policy's lookaside store: each {@code signature-N} over the
 * digest counts for the signers whose keys verify it and whose identity rule accepts it.
 */
public final class GpgSignatureSource implements SignatureSource {

    private final LookasideStore store;
    private final SimpleSigning signing;
    private final Executor crypto;
    /** Parsed keyrings by the exact key text, so each distinct set of keys is parsed once. */
    private final Map<List<String>, PgpKeys> keyrings = new ConcurrentHashMap<>();

    /**
     * @param crypto where signature checks run, so they never hold an I/O thread
     */
    public GpgSignatureSource(LookasideStore store, SimpleSigning signing, Executor crypto) {
        this.store = store;
        this.signing = signing;
        this.crypto = crypto;
    }

    /** Load-time check of one signer key: an OpenPGP key block must parse. */
    public static void checkKey(String signer, String key) throws InvalidPolicyException {
        try {
            PgpKeys.parse(key.getBytes(StandardCharsets.UTF_8));
        } catch (PgpKeyException e) {
            throw new InvalidPolicyException("signer \"" + signer + "\": " + e.getMessage(), e);
        }
    }

    /**
     * Load-time check of one signer's OpenPGP key blocks together: they are merged into one trusted set when
     * signatures are checked, so {@link io.trustgate.pgp.PgpLimits#MAX_KEYRING_KEYS} applies to the signer.
     * Each block has passed {@link #checkKey}; only a bound of the merged set can fail here, and its message
     * quotes no key.
     */
    public static void checkSignerKeys(String signer, List<String> pgpKeys) throws InvalidPolicyException {
        if (pgpKeys.size() < 2) {
            return; // one block was checked alone
        }
        try {
            PgpKeys.parse(pgpKeys.stream()
                    .map(k -> k.getBytes(StandardCharsets.UTF_8))
                    .toArray(byte[][]::new));
        } catch (PgpKeyException e) {
            throw new InvalidPolicyException("signer \"" + signer + "\": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean appliesTo(Policy policy) {
        return policy.lookaside() != null
                && policy.signers().stream().anyMatch(s -> !s.pgpKeys().isEmpty());
    }

    @Override
    public String describe(Policy policy) {
        return "lookaside " + policy.lookaside();
    }

    @Override
    public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
        String where = policy.lookaside();
        return store.signatures(where, image, digest)
                .thenApplyAsync(signatures -> check(image, digest, policy, signatures), crypto)
                .exceptionally(e -> {
                    String why = "GPG signatures could not be read from " + where + ": " + ImageVerifier.rootMessage(e);
                    return unwrapped(e) instanceof LookasideUnavailableException
                            ? SourceFindings.unavailable(why)
                            : SourceFindings.problem(why);
                });
    }

    @Override
    public void forget(ImageReference image, String digest, Policy policy) {
        if (policy.lookaside() != null) {
            store.forget(policy.lookaside(), image, digest);
        }
    }

    private static Throwable unwrapped(Throwable e) {
        Throwable t = e;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private SourceFindings check(ImageReference image, String digest, Policy policy, List<byte[]> signatures) {
        if (signatures.isEmpty()) {
            return SourceFindings.problem("no GPG signatures for " + digest + " in " + policy.lookaside());
        }
        SignedIdentity rule = policy.signedIdentity();
        List<SignerEvidence> found = new ArrayList<>();
        // Why each signature did not count, from the signer whose check got furthest.
        SignatureCheck.Rejected[] rejections = new SignatureCheck.Rejected[signatures.size()];
        List<SignatureReport> reports = new ArrayList<>();
        boolean[] accepted = new boolean[signatures.size()];
        for (Signer signer : policy.signers()) {
            if (signer.pgpKeys().isEmpty()) {
                continue;
            }
            PgpKeys keys = keyring(signer);
            if (keys == null) {
                continue;
            }
            List<SignatureCheck> checks = signing.verifyAll(signatures, keys, digest, image, rule);
            for (int i = 0; i < checks.size(); i++) {
                if (checks.get(i) instanceof SignatureCheck.Valid v) {
                    accepted[i] = true;
                    reports.add(SignatureReport.counts(
                            SignatureReport.GPG,
                            "signature-" + (i + 1) + " in " + policy.lookaside(),
                            digest,
                            v.primaryFingerprint(),
                            signer.name()));
                    if (found.stream().noneMatch(f -> f.signer().equals(signer.name()))) {
                        found.add(new SignerEvidence(signer.name(), "gpg", v.primaryFingerprint()));
                    }
                } else if (checks.get(i) instanceof SignatureCheck.Rejected r
                        && (rejections[i] == null || rejections[i].reason() == SignatureCheck.Reason.UNTRUSTED_KEY)) {
                    rejections[i] = r;
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < signatures.size(); i++) {
            if (!accepted[i] && rejections[i] != null) {
                problems.add("signature-" + (i + 1) + ": " + rejections[i].detail());
                reports.add(SignatureReport.rejected(
                        SignatureReport.GPG,
                        "signature-" + (i + 1) + " in " + policy.lookaside(),
                        digest,
                        null,
                        rejections[i].detail()));
            }
        }
        return new SourceFindings(found, problems, List.of(), null, false, reports);
    }

    private PgpKeys keyring(Signer signer) {
        return keyrings.computeIfAbsent(signer.pgpKeys(), keys -> {
            try {
                return PgpKeys.parse(keys.stream()
                        .map(k -> k.getBytes(StandardCharsets.UTF_8))
                        .toArray(byte[][]::new));
            } catch (PgpKeyException e) {
                // Policies are checked at load time; a key that fails here is treated as no key.
                return null;
            }
        });
    }
}
