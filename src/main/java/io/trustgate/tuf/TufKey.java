package io.trustgate.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jcajce.provider.asymmetric.ec.KeyFactorySpi;

/**
 * A public key as TUF metadata lists it ({@code {"keytype", "keyval": {"public", "private"}}}), decoded.
 *
 * @param keyId          hex sha256 of the canonical JSON of the key object, as it appears in the metadata
 * @param keyType        {@code ecdsa}, {@code ecdsa-x509}, {@code ed25519}, {@code rsa} or {@code rsa-x509}
 * @param publicKey      the decoded public key
 * @param certificate    the leaf certificate for {@code -x509} key types
 * @param spkiId         hex sha256 of the key's DER SubjectPublicKeyInfo: matches a PEM public key or a
 *                       certificate carrying the same key
 * @param canonicalKeyId Notary's "canonical" key id: for {@code -x509} types, the id the same public key has
 *                       as a plain {@code ecdsa} / {@code rsa} key object; otherwise {@link #keyId}
 */
public record TufKey(
        String keyId,
        String keyType,
        PublicKey publicKey,
        Optional<X509Certificate> certificate,
        String spkiId,
        String canonicalKeyId) {

    public static final String ECDSA = "ecdsa";
    public static final String ECDSA_X509 = "ecdsa-x509";
    public static final String ED25519 = "ed25519";
    public static final String RSA = "rsa";
    public static final String RSA_X509 = "rsa-x509";

    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 raw key bytes follow. */
    private static final byte[] ED25519_SPKI_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
    };

    private static final int ED25519_KEY_BYTES = 32;

    /**
     * Decodes a key object and checks that {@code declaredId} is its key id.
     *
     * @param role the role whose metadata lists the key (for error evidence)
     */
    public static TufKey parse(String role, String declaredId, JsonNode keyObject) {
        String computedId = Digests.sha256Hex(CanonicalJson.encode(keyObject));
        if (!computedId.equals(declaredId)) {
            throw new KeyIdMismatchException(role, declaredId, computedId);
        }
        JsonNode type = keyObject.path("keytype");
        JsonNode pub = keyObject.path("keyval").path("public");
        if (!type.isTextual() || !pub.isTextual()) {
            throw new MalformedMetadataException(role, "key " + declaredId + " lacks keytype or keyval.public");
        }
        String keyType = type.textValue();
        byte[] publicValue;
        try {
            publicValue = Base64.getDecoder().decode(pub.textValue());
        } catch (IllegalArgumentException e) {
            throw new UnsupportedKeyException(role, declaredId, keyType, "public value is not base64");
        }
        try {
            return switch (keyType) {
                case ECDSA -> fromSpki(declaredId, keyType, publicValue, "EC", Optional.empty());
                case RSA -> fromSpki(declaredId, keyType, publicValue, "RSA", Optional.empty());
                case ED25519 -> {
                    if (publicValue.length != ED25519_KEY_BYTES) {
                        throw new UnsupportedKeyException(
                                role,
                                declaredId,
                                keyType,
                                "ed25519 public key is " + publicValue.length + " bytes, not " + ED25519_KEY_BYTES);
                    }
                    byte[] spki = new byte[ED25519_SPKI_PREFIX.length + ED25519_KEY_BYTES];
                    System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
                    System.arraycopy(publicValue, 0, spki, ED25519_SPKI_PREFIX.length, ED25519_KEY_BYTES);
                    yield fromSpki(declaredId, keyType, spki, "Ed25519", Optional.empty());
                }
                case ECDSA_X509, RSA_X509 -> {
                    X509Certificate cert = certificate(publicValue);
                    String algorithm = cert.getPublicKey().getAlgorithm();
                    String expected = keyType.equals(ECDSA_X509) ? "EC" : "RSA";
                    if (!algorithm.equals(expected)) {
                        throw new UnsupportedKeyException(
                                role, declaredId, keyType, "certificate holds a " + algorithm + " key");
                    }
                    yield fromSpki(declaredId, keyType, cert.getPublicKey().getEncoded(), algorithm, Optional.of(cert));
                }
                default -> throw new UnsupportedKeyException(role, declaredId, keyType, "unknown key type");
            };
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new UnsupportedKeyException(role, declaredId, keyType, e.getMessage());
        }
    }

    /** Decodes one PEM (or DER) X.509 certificate; for a PEM chain, the first (leaf) certificate. */
    public static X509Certificate certificate(byte[] pemOrDer) throws CertificateException {
        // The JDK's PEM reader goes a byte at a time through an InputStream and was recompiled by C2 on every
        // cold Notary review (a root certificate per repository): decode the first PEM block here, and hand the
        // factory DER. Anything else (DER, or a PEM this scan does not find) goes to the factory as it came.
        byte[] der = firstPemCertificate(pemOrDer);
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der != null ? der : pemOrDer));
    }

    private static final byte[] PEM_BEGIN_CERTIFICATE =
            "-----BEGIN CERTIFICATE-----".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PEM_END_CERTIFICATE = "-----END CERTIFICATE-----".getBytes(StandardCharsets.US_ASCII);

    /** The DER body of the first {@code CERTIFICATE} PEM block, or {@code null} when there is none to decode. */
    private static byte[] firstPemCertificate(byte[] pem) {
        int begin = indexOf(pem, PEM_BEGIN_CERTIFICATE, 0);
        if (begin < 0) {
            return null;
        }
        int bodyStart = begin + PEM_BEGIN_CERTIFICATE.length;
        int end = indexOf(pem, PEM_END_CERTIFICATE, bodyStart);
        if (end < 0) {
            return null;
        }
        try {
            return Base64.getMimeDecoder().decode(Arrays.copyOfRange(pem, bodyStart, end));
        } catch (IllegalArgumentException e) {
            return null; // not base64 (e.g. PEM headers): the factory gives its own reason
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Hex sha256 of the normalised DER SubjectPublicKeyInfo of a key. */
    public static String spkiId(byte[] spkiDer) {
        try {
            return Digests.sha256Hex(SubjectPublicKeyInfo.getInstance(spkiDer).getEncoded("DER"));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a SubjectPublicKeyInfo: " + e.getMessage(), e);
        }
    }

    private static TufKey fromSpki(
            String keyId, String keyType, byte[] spki, String jdkAlgorithm, Optional<X509Certificate> cert)
            throws GeneralSecurityException {
        PublicKey key = p256(spki);
        if (key == null) {
            key = KeyFactory.getInstance(jdkAlgorithm).generatePublic(new X509EncodedKeySpec(spki));
        }
        String canonical = keyId;
        if (cert.isPresent()) {
            canonical = keyIdOf(
                    keyType.equals(ECDSA_X509) ? ECDSA : RSA,
                    Base64.getEncoder().encodeToString(spki));
        }
        return new TufKey(keyId, keyType, key, cert, spkiId(key.getEncoded()), canonical);
    }

    /**
     * A P-256 key in an uncompressed-point SubjectPublicKeyInfo, built by Bouncy Castle, or {@code null} for any
     * other key. The JDK's EC key factory (JDK 25) multiplies every new public point by the curve order to validate
     * it: about 1 ms of CPU per key and C2 compiling SunEC's point arithmetic on every cold Notary review (each
     * repository brings its own root certificate and role keys), while Bouncy Castle, which verifies the P-256
     * signatures anyway, checks the point is on the curve (enough for P-256, whose cofactor is 1) when it decodes it.
     * Compressed points stay refused, as the JDK refuses them.
     */
    private static PublicKey p256(byte[] spki) throws GeneralSecurityException {
        SubjectPublicKeyInfo info;
        try {
            info = SubjectPublicKeyInfo.getInstance(spki);
        } catch (IllegalArgumentException e) {
            return null; // the JDK's factory gives its own reason
        }
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(info.getAlgorithm().getAlgorithm())
                || !SECObjectIdentifiers.secp256r1.equals(info.getAlgorithm().getParameters())) {
            return null;
        }
        byte[] point = info.getPublicKeyData().getOctets();
        if (point.length != P256_UNCOMPRESSED_POINT_BYTES || point[0] != 0x04) {
            throw new java.security.spec.InvalidKeySpecException("P-256 public point is not uncompressed");
        }
        try {
            return new KeyFactorySpi.EC().generatePublic(info);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new java.security.spec.InvalidKeySpecException("P-256 public point: " + e.getMessage(), e);
        }
    }

    private static final int P256_UNCOMPRESSED_POINT_BYTES = 65;

    /** The key id of a public key object {@code {"keytype": type, "keyval": {"private": null, "public": value}}}. */
    public static String keyIdOf(String keyType, String base64Public) {
        return Digests.sha256Hex(CanonicalJson.encode(keyObject(keyType, base64Public)));
    }

    /** The key object Notary writes for a public key: {@code private} is {@code null}. */
    public static ObjectNode keyObject(String keyType, String base64Public) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("keytype", keyType);
        ObjectNode keyval = node.putObject("keyval");
        keyval.putNull("private");
        keyval.put("public", base64Public);
        return node;
    }

    /** The signature methods a key of this type may use; the key type, not the signer, fixes the algorithm. */
    public boolean accepts(String method) {
        return switch (keyType) {
            case ECDSA, ECDSA_X509 -> method.equals("ecdsa");
            case ED25519 -> method.equals("eddsa") || method.equals("ed25519");
            case RSA, RSA_X509 -> method.equals("rsapss") || method.equals("rsassa-pss-sha256");
            default -> false;
        };
    }

    /** A short human form: id prefix and type. */
    public String describe() {
        return keyId.substring(0, Math.min(keyId.length(), 12)) + " (" + keyType + ")";
    }
}
