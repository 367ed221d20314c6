package io.trustgate.policy;

import java.util.List;

/**
 * How many keys and identities one signer may hold, besides OpenPGP keys (bounded by {@code
 * PgpLimits.MAX_KEYRING_KEYS}). Each PEM key is parsed and tried per signature (cosign), per trust anchor chain
 * (Notation) or per role key (Notary), and each keyless identity is matched per certificate, so the work of one
 * image grows with these counts. Checked when a policy is compiled: a policy over them is broken, naming the
 * signer and the bound.
 */
public final class SignerLimits {

    /** PEM public keys and certificates of one signer (cosign keys, Notation trust anchors, Notary keys). */
    public static final int MAX_PEM_KEYS = 32;

    /** Notary key ids (64 hex digits) of one signer: matched by string, so more are allowed than PEM keys. */
    public static final int MAX_KEY_IDS = 256;

    /** Keyless cosign identities (issuer, subject or subject pattern) of one signer. */
    public static final int MAX_IDENTITIES = 32;

    private static final String PEM_BEGIN = "-----BEGIN ";
    private static final String PGP_BEGIN = "-----BEGIN PGP ";

    private SignerLimits() {}

    /**
     * Checks one signer's keys (inline and from {@code keysFrom}, as the policy gives them) and its number of keyless
     * identities. The message counts, and never quotes a key: keys may come from a Secret.
     */
    public static void check(String signer, List<String> keys, int identities) throws InvalidPolicyException {
        int pem = 0;
        int keyIds = 0;
        for (String key : keys) {
            if (key.contains(PGP_BEGIN)) {
                continue; // OpenPGP: PgpLimits.MAX_KEYRING_KEYS, checked by the GPG source
            }
            int blocks = count(key, PEM_BEGIN);
            if (blocks == 0) {
                keyIds++;
            }
            pem += blocks;
        }
        if (pem > MAX_PEM_KEYS) {
            throw new InvalidPolicyException("signer \"" + signer + "\" has " + pem + " PEM public keys and "
                    + "certificates, more than " + MAX_PEM_KEYS + " (SignerLimits.MAX_PEM_KEYS); drop retired keys");
        }
        if (keyIds > MAX_KEY_IDS) {
            throw new InvalidPolicyException("signer \"" + signer + "\" has " + keyIds + " key ids, more than "
                    + MAX_KEY_IDS + " (SignerLimits.MAX_KEY_IDS); drop retired keys");
        }
        if (identities > MAX_IDENTITIES) {
            throw new InvalidPolicyException("signer \"" + signer + "\" has " + identities + " keyless identities, "
                    + "more than " + MAX_IDENTITIES + " (SignerLimits.MAX_IDENTITIES); one subjectRegExp can "
                    + "cover several subjects");
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }
}
