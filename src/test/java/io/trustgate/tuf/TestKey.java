package io.trustgate.tuf;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway signing key for crafted test metadata, in the shape Notary writes it: ecdsa (P-256, raw r||s),
 * ed25519 (method eddsa), rsa (rsapss) and ecdsa-x509 root keys with a certificate whose CN is the GUN.
 *
 * @param keyType   the TUF key type
 * @param pair      the key pair
 * @param publicB64 the {@code keyval.public} value
 * @param method    the signature method the key signs with
 * @param certificate the certificate for ecdsa-x509 keys, else null
 */
public record TestKey(String keyType, KeyPair pair, String publicB64, String method, X509Certificate certificate) {

    private static final int RSA_BITS = 2048;
    private static final int PSS_SALT = 32;
    private static final int ED25519_RAW = 32;
    private static final AtomicLong SERIAL = new AtomicLong(1);

    public static TestKey ecdsa() {
        KeyPair kp = generate("EC");
        return new TestKey(TufKey.ECDSA, kp, b64(kp.getPublic().getEncoded()), "ecdsa", null);
    }

    public static TestKey ed25519() {
        KeyPair kp = generate("Ed25519");
        byte[] spki = kp.getPublic().getEncoded();
        return new TestKey(
                TufKey.ED25519,
                kp,
                b64(Arrays.copyOfRange(spki, spki.length - ED25519_RAW, spki.length)),
                "eddsa",
                null);
    }

    public static TestKey rsa() {
        KeyPair kp = generate("RSA");
        return new TestKey(TufKey.RSA, kp, b64(kp.getPublic().getEncoded()), "rsapss", null);
    }

    /** An ecdsa-x509 key whose self-signed leaf certificate names {@code cn} and is valid in [from, to]. */
    public static TestKey rootCertificate(String cn, Instant from, Instant to) {
        KeyPair kp = generate("EC");
        try {
            X500Name name = new X500Name("CN=" + cn);
            var builder = new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.valueOf(SERIAL.getAndIncrement()),
                    Date.from(from),
                    Date.from(to),
                    name,
                    kp.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            String pem = pem("CERTIFICATE", cert.getEncoded());
            return new TestKey(TufKey.ECDSA_X509, kp, b64(pem.getBytes(StandardCharsets.US_ASCII)), "ecdsa", cert);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String id() {
        return TufKey.keyIdOf(keyType, publicB64);
    }

    /** The key as a PEM public key (what a policy would pin). */
    public String publicPem() {
        return pem("PUBLIC KEY", pair.getPublic().getEncoded());
    }

    /** The certificate as PEM. */
    public String certificatePem() {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] sign(byte[] message) {
        try {
            java.security.Signature s;
            switch (keyType) {
                case TufKey.ECDSA, TufKey.ECDSA_X509 ->
                    s = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
                case TufKey.ED25519 -> s = java.security.Signature.getInstance("Ed25519");
                default -> {
                    s = java.security.Signature.getInstance("RSASSA-PSS");
                    s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSS_SALT, 1));
                }
            }
            s.initSign(pair.getPrivate());
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate(String algorithm) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("EC")) {
                g.initialize(new ECGenParameterSpec("secp256r1"));
            } else if (algorithm.equals("RSA")) {
                g.initialize(RSA_BITS);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
