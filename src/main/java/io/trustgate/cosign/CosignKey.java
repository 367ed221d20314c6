package io.trustgate.cosign;

import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One trusted cosign public key, as {@code cosign.pub} holds it: a PEM {@code PUBLIC KEY} (X.509
 * SubjectPublicKeyInfo) of an ECDSA P-256 or P-384, RSA (2048 to 8192 bits) or Ed25519 key.
 *
 * @param key the JDK public key
 * @param algorithm how signatures by this key are checked
 * @param id {@code sha256:<hex>} of the SubjectPublicKeyInfo, the key's name in evidence
 */
public record CosignKey(PublicKey key, Algorithm algorithm, String id) {

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    /** The key types cosign signs with, and the JDK signature algorithms that check them. */
    public enum Algorithm {
        /** ECDSA P-256; cosign hashes with SHA-256. */
        ECDSA_P256(List.of("SHA256withECDSA")),
        /** ECDSA P-384; cosign 2.x hashes with SHA-256 for key files, SHA-384 is accepted too. */
        ECDSA_P384(List.of("SHA256withECDSA", "SHA384withECDSA")),
        /** RSA PKCS#1 v1.5 with SHA-256, as cosign signs with an RSA key file. */
        RSA_PKCS1(List.of("SHA256withRSA")),
        /** Ed25519 over the payload itself. */
        ED25519(List.of("Ed25519"));

        @SuppressWarnings("ImmutableEnumChecker") // always a List.of(...), which cannot be modified
        private final List<String> jdkAlgorithms;

        Algorithm(List<String> jdkAlgorithms) {
            this.jdkAlgorithms = jdkAlgorithms;
        }

        /** The JDK {@code Signature} algorithms tried, in order. */
        public List<String> jdkAlgorithms() {
            return jdkAlgorithms;
        }
    }

    public CosignKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(id, "id");
    }

    /** Whether this text looks like a PEM public key at all (so a GPG key is not reported as a bad cosign key). */
    public static boolean looksLikePem(String text) {
        return text != null && text.strip().startsWith(BEGIN);
    }

    /** Parses one PEM {@code PUBLIC KEY} block; nothing else may follow it. */
    public static CosignKey parse(String pem) throws CosignKeyException {
        if (pem == null) {
            throw new CosignKeyException("no key text");
        }
        if (pem.length() > CosignLimits.MAX_KEY_PEM_CHARS) {
            throw new CosignKeyException("key text has " + pem.length() + " characters, more than the limit of "
                    + CosignLimits.MAX_KEY_PEM_CHARS);
        }
        String text = pem.strip();
        if (!text.startsWith(BEGIN)) {
            throw new CosignKeyException("not a PEM public key: it does not start with " + BEGIN);
        }
        int end = text.indexOf(END);
        if (end < 0) {
            throw new CosignKeyException("PEM public key has no " + END + " line");
        }
        if (!text.substring(end + END.length()).isBlank()) {
            throw new CosignKeyException("text follows the PEM public key; give one key per entry");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder()
                    .decode(text.substring(BEGIN.length(), end).getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new CosignKeyException("PEM public key body is not base64: " + e.getMessage(), e);
        }
        return fromSubjectPublicKeyInfo(der);
    }

    /** Reads an X.509 SubjectPublicKeyInfo and decides which cosign key type it is. */
    static CosignKey fromSubjectPublicKeyInfo(byte[] der) throws CosignKeyException {
        String id = "sha256:" + HexFormat.of().formatHex(sha256(der));
        for (String type : List.of("EC", "RSA", "Ed25519")) {
            PublicKey key;
            try {
                key = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                continue;
            }
            return new CosignKey(key, algorithmOf(key), id);
        }
        throw new CosignKeyException("PEM public key is not an ECDSA, RSA or Ed25519 SubjectPublicKeyInfo");
    }

    private static Algorithm algorithmOf(PublicKey key) throws CosignKeyException {
        if (key instanceof ECPublicKey ec) {
            if (sameCurve(ec.getParams(), "secp256r1")) {
                return Algorithm.ECDSA_P256;
            }
            if (sameCurve(ec.getParams(), "secp384r1")) {
                return Algorithm.ECDSA_P384;
            }
            throw new CosignKeyException("ECDSA key is not on P-256 or P-384");
        }
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < CosignLimits.MIN_RSA_BITS || bits > CosignLimits.MAX_RSA_BITS) {
                throw new CosignKeyException("RSA key has " + bits + " bits; accepted are " + CosignLimits.MIN_RSA_BITS
                        + " to " + CosignLimits.MAX_RSA_BITS);
            }
            return Algorithm.RSA_PKCS1;
        }
        if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
            return Algorithm.ED25519;
        }
        throw new CosignKeyException("unsupported public key algorithm " + key.getAlgorithm());
    }

    private static boolean sameCurve(ECParameterSpec params, String curve) throws CosignKeyException {
        ECParameterSpec named;
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(curve));
            named = parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new CosignKeyException("the JDK does not know curve " + curve, e);
        }
        return named.getCurve().equals(params.getCurve())
                && named.getGenerator().equals(params.getGenerator())
                && named.getOrder().equals(params.getOrder())
                && named.getCofactor() == params.getCofactor();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    @Override
    public String toString() {
        return algorithm + " " + id;
    }
}
