package io.trustgate.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for loopback TLS: an ECDSA P-256 CA and server certificates
 * whose SANs are {@code 127.0.0.1} and {@code localhost} (Go clients need the SAN), all as PEM files.
 *
 * <pre>{@code
 * TestCa ca = TestCa.create(tempDir);
 * TestCa.Issued server = ca.issueServer("notary-server");   // server.crt + server.key, SAN 127.0.0.1, localhost
 * Path caPem = ca.certPem();                                // give it to clients as their trust anchor
 * }</pre>
 */
public final class TestCa {

    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration VALIDITY = Duration.ofDays(2);

    private final Path dir;
    private final KeyPair keyPair;
    private final X509Certificate cert;
    private final Path certPem;
    private final Path keyPem;

    private TestCa(Path dir, KeyPair keyPair, X509Certificate cert, Path certPem, Path keyPem) {
        this.dir = dir;
        this.keyPair = keyPair;
        this.cert = cert;
        this.certPem = certPem;
        this.keyPem = keyPem;
    }

    /** Makes a new CA and writes {@code ca.crt} and {@code ca.key} into {@code dir}. */
    public static TestCa create(Path dir) {
        try {
            Files.createDirectories(dir);
            KeyPair kp = newKeyPair();
            X500Name name = new X500Name("CN=trustgate test CA " + Long.toHexString(RANDOM.nextLong()));
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name,
                    serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(VALIDITY)),
                    name,
                    kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = sign(builder, kp);
            Path certPem = dir.resolve("ca.crt");
            Path keyPem = dir.resolve("ca.key");
            Files.writeString(certPem, pem(cert));
            Files.writeString(keyPem, pem(kp.getPrivate()));
            return new TestCa(dir, kp, cert, certPem, keyPem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make test CA", e);
        }
    }

    /** A server certificate for {@code 127.0.0.1} and {@code localhost}, plus any extra DNS names. */
    public Issued issueServer(String name, String... extraDnsNames) {
        return issueServer(name, List.of(), extraDnsNames);
    }

    /**
     * A server certificate for {@code 127.0.0.1}, {@code localhost}, the extra IP addresses (e.g. a node's
     * bridge address) and the extra DNS names.
     */
    public Issued issueServer(String name, List<String> extraIps, String... extraDnsNames) {
        return issue(name, new X500Name("CN=" + name), extraIps, extraDnsNames);
    }

    /**
     * A client certificate with subject {@code CN=user, O=group}: the API server's x509 authentication reads the
     * user name from CN and a group from O (e.g. {@code system:masters}).
     */
    public Issued issueClient(String user, String group) {
        return issue(user, new X500Name("O=" + group + ",CN=" + user), List.of());
    }

    private Issued issue(String name, X500Name subject, List<String> extraIps, String... extraDnsNames) {
        try {
            KeyPair kp = newKeyPair();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    cert,
                    serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(VALIDITY)),
                    subject,
                    kp.getPublic());
            List<GeneralName> sans = new ArrayList<>();
            sans.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            sans.add(new GeneralName(GeneralName.dNSName, "localhost"));
            for (String ip : extraIps) {
                sans.add(new GeneralName(GeneralName.iPAddress, ip));
            }
            for (String dns : extraDnsNames) {
                sans.add(new GeneralName(GeneralName.dNSName, dns));
            }
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
            }));
            builder.addExtension(
                    Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
            X509Certificate issued = sign(builder, keyPair);
            return write(dir, name, issued, kp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue certificate " + name, e);
        }
    }

    private static Issued write(Path dir, String name, X509Certificate cert, KeyPair kp) throws IOException {
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(certFile, pem(cert));
        Files.writeString(keyFile, pem(kp.getPrivate()));
        return new Issued(cert, kp, certFile, keyFile);
    }

    /** A self-signed certificate (not from this CA) over a fresh P-256 key, e.g. for a token signer. */
    public static Issued selfSigned(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            KeyPair kp = newKeyPair();
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(VALIDITY)),
                    subject,
                    kp.getPublic());
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            X509Certificate issued = sign(builder, kp);
            return write(dir, name, issued, kp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make self-signed certificate " + name, e);
        }
    }

    /** The server side of TLS for an in-process HTTPS server ({@code HttpsServer}) with a certificate from this CA. */
    public javax.net.ssl.SSLContext serverContext(Issued server) {
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", server.keyPair().getPrivate(), new char[0], new java.security.cert.Certificate[] {
                server.certificate(), cert
            });
            javax.net.ssl.KeyManagerFactory kmf =
                    javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), null, null);
            return ssl;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS server context from the test CA", e);
        }
    }

    /** A JDK HTTP client that trusts only this CA (for the HTTPS peers and trustgate itself). */
    public java.net.http.HttpClient httpClient(Duration connectTimeout) {
        return java.net.http.HttpClient.newBuilder()
                .sslContext(clientContext())
                .connectTimeout(connectTimeout)
                .build();
    }

    /** A client-side TLS context that trusts only this CA. */
    public javax.net.ssl.SSLContext clientContext() {
        try {
            java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", cert);
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build an HTTPS client for the test CA", e);
        }
    }

    public Path certPem() {
        return certPem;
    }

    public Path keyPem() {
        return keyPem;
    }

    public X509Certificate certificate() {
        return cert;
    }

    /** A certificate and its private key, in memory and as PEM files. */
    public record Issued(X509Certificate certificate, KeyPair keyPair, Path certPem, Path keyPem) {}

    /** PEM text of a certificate, key or any object Bouncy Castle can write. */
    public static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (object instanceof java.security.PrivateKey key) {
                writer.writeObject((org.bouncycastle.util.io.pem.PemObjectGenerator)
                        new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
            } else {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return gen.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
        return new JcaX509CertificateConverter().setProvider(BC).getCertificate(builder.build(contentSigner));
    }
}
