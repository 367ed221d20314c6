package io.trustgate.pgp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.sig.IssuerFingerprint;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.util.encoders.Hex;

/**
 * A set of trusted OpenPGP public keys (primary keys with their subkeys), parsed once.
 *
 * <p>Input may be binary or ASCII-armoured, one key or a keyring, and several inputs (or several
 * armour blocks in one input) are merged. Secret key material is refused rather than silently used.
 * A key given twice is kept once (the first copy wins).
 */
public final class PgpKeys {

    private static final String ARMOUR_BEGIN = "-----BEGIN PGP ";

    private final Map<String, PGPPublicKeyRing> ringsByPrimaryFingerprint;

    private PgpKeys(Map<String, PGPPublicKeyRing> rings) {
        this.ringsByPrimaryFingerprint = Collections.unmodifiableMap(rings);
    }

    /** Parses one or more keyrings, each binary or armoured, into one trusted set. */
    public static PgpKeys parse(byte[]... armouredOrBinaryKeyrings) throws PgpKeyException {
        if (armouredOrBinaryKeyrings == null || armouredOrBinaryKeyrings.length == 0) {
            throw new PgpKeyException("no key material given");
        }
        Map<String, PGPPublicKeyRing> rings = new LinkedHashMap<>();
        int index = 0;
        for (byte[] input : armouredOrBinaryKeyrings) {
            index++;
            if (input == null || input.length == 0) {
                throw new PgpKeyException("key input " + index + " is empty");
            }
            if (input.length > PgpLimits.MAX_KEYRING_BYTES) {
                throw new PgpKeyException("key input " + index + " has " + input.length
                        + " bytes, more than the limit of " + PgpLimits.MAX_KEYRING_BYTES);
            }
            try {
                for (byte[] binary : binaryBlocks(input)) {
                    readRings(binary, rings);
                }
            } catch (IOException | RuntimeException e) {
                throw new PgpKeyException("key input " + index + " is not an OpenPGP public key: " + e.getMessage(), e);
            }
        }
        if (rings.isEmpty()) {
            throw new PgpKeyException("no OpenPGP public key found in the key input");
        }
        return new PgpKeys(rings);
    }

    /** Parses ASCII-armoured public keys (one or several blocks). */
    public static PgpKeys parse(String armoured) throws PgpKeyException {
        if (armoured == null) {
            throw new PgpKeyException("no key material given");
        }
        return parse(armoured.getBytes(StandardCharsets.UTF_8));
    }

    /** Fingerprints of the primary keys, upper-case hex (40 characters for v4 keys), in input order. */
    public List<String> primaryFingerprints() {
        return List.copyOf(ringsByPrimaryFingerprint.keySet());
    }

    /**
     * The key that made a signature: by the issuer fingerprint subpacket when the signature has one
     * (exact, immune to 64-bit key id collisions), else by the issuer key id.
     */
    Optional<KeyInRing> findSigner(PGPSignature signature) {
        PGPSignatureSubpacketVector hashed = signature.getHashedSubPackets();
        IssuerFingerprint issuer = hashed == null ? null : hashed.getIssuerFingerprint();
        if (issuer != null) {
            byte[] fingerprint = issuer.getFingerprint();
            for (PGPPublicKeyRing ring : ringsByPrimaryFingerprint.values()) {
                PGPPublicKey key = ring.getPublicKey(fingerprint);
                if (key != null) {
                    return Optional.of(new KeyInRing(ring.getPublicKey(), key));
                }
            }
            return Optional.empty();
        }
        return findByKeyId(signature.getKeyID());
    }

    /** The key (primary or subkey) with this key id, with the primary key that owns it. */
    Optional<KeyInRing> findByKeyId(long keyId) {
        for (PGPPublicKeyRing ring : ringsByPrimaryFingerprint.values()) {
            PGPPublicKey key = ring.getPublicKey(keyId);
            if (key != null) {
                return Optional.of(new KeyInRing(ring.getPublicKey(), key));
            }
        }
        return Optional.empty();
    }

    /** A key found by id, and the primary key of its ring (the same object when the key is primary). */
    record KeyInRing(PGPPublicKey primary, PGPPublicKey key) {
        boolean isPrimary() {
            return primary == key;
        }
    }

    static String fingerprint(PGPPublicKey key) {
        return Hex.toHexString(key.getFingerprint()).toUpperCase(Locale.ROOT);
    }

    static String keyId(long keyId) {
        return String.format(Locale.ROOT, "%016X", keyId);
    }

    private static void readRings(byte[] binary, Map<String, PGPPublicKeyRing> rings)
            throws IOException, PgpKeyException {
        BcPGPObjectFactory factory = new BcPGPObjectFactory(binary);
        Object object;
        int markers = 0;
        while ((object = factory.nextObject()) != null) {
            // Bouncy Castle allocates ~8 KiB per packet object: 4 MiB of 5-byte markers cost 6 GiB and 1 s.
            if (object instanceof PGPMarker && ++markers > PgpLimits.MAX_PACKETS) {
                throw new PgpKeyException("more than " + PgpLimits.MAX_PACKETS
                        + " marker packets in a keyring (PgpLimits.MAX_PACKETS); export the keys again with gpg");
            }
            if (object instanceof PGPPublicKeyRing ring) {
                if (rings.putIfAbsent(fingerprint(ring.getPublicKey()), ring) == null) {
                    checkKeyCount(rings);
                }
            } else if (object instanceof PGPSecretKeyRing) {
                throw new PgpKeyException("secret key material was given where only public keys are expected");
            } else if (!(object instanceof PGPMarker)) {
                throw new PgpKeyException(
                        "unexpected OpenPGP packet " + object.getClass().getSimpleName() + " in a public keyring");
            }
        }
    }

    /** Refuses a set past {@link PgpLimits#MAX_KEYRING_KEYS} as soon as the ring that crosses it is read. */
    private static void checkKeyCount(Map<String, PGPPublicKeyRing> rings) throws PgpKeyException {
        int keys = 0;
        for (PGPPublicKeyRing ring : rings.values()) {
            keys += ring.size();
        }
        if (keys > PgpLimits.MAX_KEYRING_KEYS) {
            throw new PgpKeyException("the keys hold more than " + PgpLimits.MAX_KEYRING_KEYS
                    + " OpenPGP keys (primary keys and subkeys), the limit for one keyring or one signer"
                    + " (PgpLimits.MAX_KEYRING_KEYS): split them among signers or drop unused keys");
        }
    }

    /** Splits the input into binary packet streams: the input itself, or each decoded armour block. */
    private static List<byte[]> binaryBlocks(byte[] input) throws IOException, PgpKeyException {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        int begin = text.indexOf(ARMOUR_BEGIN);
        if (begin < 0) {
            return List.of(input);
        }
        List<byte[]> blocks = new ArrayList<>();
        while (begin >= 0) {
            int endMarker = text.indexOf("-----END PGP ", begin);
            if (endMarker < 0) {
                throw new PgpKeyException("armour block without an END line");
            }
            int endOfLine = text.indexOf("-----", endMarker + 5);
            int end = endOfLine < 0 ? text.length() : endOfLine + 5;
            blocks.add(dearmour(input, begin, end));
            begin = text.indexOf(ARMOUR_BEGIN, end);
        }
        return blocks;
    }

    private static byte[] dearmour(byte[] input, int from, int to) throws IOException {
        try (InputStream in = new ArmoredInputStream(new ByteArrayInputStream(input, from, to - from))) {
            return in.readAllBytes();
        }
    }

    @Override
    public String toString() {
        return "PgpKeys" + primaryFingerprints();
    }
}
