package io.trustgate.notation;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.trustgate.notation.NotationCheck.Reason;
import io.trustgate.notation.NotationCheck.Rejected;
import io.trustgate.tuf.TufKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies one Notation (Notary Project signature specification v1) JWS envelope against one signer's trust
 * anchors and trusted identities, at the verification level {@code strict}:
 *
 * <ol>
 *   <li>envelope: JWS JSON serialization, {@code cty} {@value #PAYLOAD_CONTENT_TYPE}, {@code alg} one of PS256/384/512
 *       or ES256/384/512, every {@code crit} header understood and the Notary critical headers listed in it;
 *   <li>signing scheme {@code notary.x509} ({@code notary.x509.signingAuthority} needs a time-stamping authority,
 *       which trustgate does not verify: such signatures are rejected, never trusted on their word);
 *   <li>integrity: the signature over {@code BASE64URL(protected).BASE64URL(payload)} with the leaf certificate's
 *       key;
 *   <li>the payload's {@code targetArtifact.digest} is the verified image digest;
 *   <li>authenticity: the {@code x5c} chain leads to one of the anchors (JDK PKIX at the signing time, no
 *       revocation: an offline check), the leaf may sign code (key usage, extended key usage);
 *   <li>every certificate valid at the signing time and now (no time stamp countersignature, as notation does);
 *   <li>expiry: {@code io.cncf.notary.expiry} not passed;
 *   <li>the leaf subject matches a trusted identity (none listed: any subject under the anchors).
 * </ol>
 */
public final class NotationVerifier {

    /** The JWS envelope media type. */
    public static final String JWS = "application/jose+json";
    /** The COSE envelope media type (not verified by this version). */
    public static final String COSE = "application/cose";
    /** The content type of the signed payload. */
    public static final String PAYLOAD_CONTENT_TYPE = "application/vnd.cncf.notary.payload.v1+json";

    private static final String SIGNING_SCHEME = "io.cncf.notary.signingScheme";
    private static final String SIGNING_TIME = "io.cncf.notary.signingTime";
    private static final String EXPIRY = "io.cncf.notary.expiry";
    private static final String AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime";
    private static final String VERIFICATION_PLUGIN = "io.cncf.notary.verificationPlugin";
    private static final String VERIFICATION_PLUGIN_MIN_VERSION = "io.cncf.notary.verificationPluginMinVersion";
    private static final Set<String> KNOWN_CRITICAL = Set.of(SIGNING_SCHEME, EXPIRY, AUTHENTIC_SIGNING_TIME);
    private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Clock clock;

    public NotationVerifier(Clock clock) {
        this.clock = clock;
    }

    /**
     * Checks one envelope.
     *
     * @param envelope the envelope blob (at most {@link NotationLimits#MAX_ENVELOPE_BYTES})
     * @param mediaType the envelope's media type ({@link #JWS}; {@link #COSE} is reported as unsupported)
     * @param anchors the signer's trust anchors (CA or self-signed certificates)
     * @param identities the signer's trusted identities; empty accepts any subject under the anchors
     * @param digest the image digest that must be the signed target artifact
     */
    public NotationCheck verify(
            byte[] envelope,
            String mediaType,
            List<X509Certificate> anchors,
            List<TrustedIdentity> identities,
            String digest) {
        if (COSE.equals(mediaType)) {
            return new Rejected(
                    Reason.UNSUPPORTED,
                    "COSE envelopes are not verified by this trustgate version; "
                            + "sign with notation --signature-format jws");
        }
        if (!JWS.equals(mediaType)) {
            return new Rejected(Reason.MALFORMED_ENVELOPE, "unknown envelope media type " + mediaType);
        }
        if (envelope.length > NotationLimits.MAX_ENVELOPE_BYTES) {
            return new Rejected(
                    Reason.MALFORMED_ENVELOPE,
                    "envelope has " + envelope.length + " bytes, more than the limit of "
                            + NotationLimits.MAX_ENVELOPE_BYTES);
        }
        try {
            return verifyJws(envelope, anchors, identities, digest);
        } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
            return new Rejected(Reason.MALFORMED_ENVELOPE, "JWS envelope cannot be read: " + e.getMessage());
        }
    }

    private NotationCheck verifyJws(
            byte[] envelope, List<X509Certificate> anchors, List<TrustedIdentity> identities, String digest)
            throws IOException {
        JsonNode jws = JSON.readTree(envelope);
        if (jws == null || !jws.isObject()) {
            return new Rejected(Reason.MALFORMED_ENVELOPE, "the envelope is not a JWS JSON object");
        }
        String protectedB64 = jws.path("protected").asText("");
        String payloadB64 = jws.path("payload").asText("");
        String signatureB64 = jws.path("signature").asText("");
        JsonNode x5c = jws.path("header").path("x5c");
        if (protectedB64.isEmpty() || payloadB64.isEmpty() || signatureB64.isEmpty() || !x5c.isArray()) {
            return new Rejected(Reason.MALFORMED_ENVELOPE, "the JWS lacks protected, payload, signature or header.x5c");
        }
        Base64.Decoder url = Base64.getUrlDecoder();
        JsonNode header = JSON.readTree(url.decode(protectedB64));
        if (header == null || !header.isObject()) {
            return new Rejected(Reason.MALFORMED_ENVELOPE, "the protected header is not a JSON object");
        }
        // Critical headers (signature spec, JWS): every one must be understood, and the Notary ones must be listed.
        Set<String> crit = new HashSet<>();
        for (JsonNode c : header.path("crit")) {
            crit.add(c.asText());
        }
        for (String c : crit) {
            if (!KNOWN_CRITICAL.contains(c)) {
                return new Rejected(Reason.UNSUPPORTED, "unknown critical header " + c);
            }
            if (!header.has(c)) {
                return new Rejected(Reason.MALFORMED_ENVELOPE, "critical header " + c + " is missing");
            }
        }
        if (header.has(VERIFICATION_PLUGIN) || header.has(VERIFICATION_PLUGIN_MIN_VERSION)) {
            return new Rejected(Reason.UNSUPPORTED, "signatures that need a verification plugin are not supported");
        }
        if (!crit.contains(SIGNING_SCHEME) || (header.has(EXPIRY) && !crit.contains(EXPIRY))) {
            return new Rejected(Reason.MALFORMED_ENVELOPE, "signing scheme and expiry must be critical headers (crit)");
        }
        String scheme = header.path(SIGNING_SCHEME).asText("");
        if (!scheme.equals("notary.x509")) {
            return new Rejected(
                    Reason.UNSUPPORTED,
                    "signing scheme \"" + scheme + "\" is not supported (notary.x509.signingAuthority needs a"
                            + " time-stamping authority trustgate does not verify); sign with notary.x509");
        }
        if (!PAYLOAD_CONTENT_TYPE.equals(header.path("cty").asText(""))) {
            return new Rejected(Reason.MALFORMED_ENVELOPE, "payload content type is not " + PAYLOAD_CONTENT_TYPE);
        }
        Instant signingTime =
                OffsetDateTime.parse(header.path(SIGNING_TIME).asText("")).toInstant();
        Instant expiry = header.has(EXPIRY)
                ? OffsetDateTime.parse(header.get(EXPIRY).asText()).toInstant()
                : null;

        List<X509Certificate> chain = new ArrayList<>();
        if (x5c.isEmpty() || x5c.size() > NotationLimits.MAX_CHAIN_LENGTH) {
            return new Rejected(
                    Reason.MALFORMED_ENVELOPE,
                    "x5c has " + x5c.size() + " certificates (1 to " + NotationLimits.MAX_CHAIN_LENGTH + " allowed)");
        }
        for (JsonNode c : x5c) {
            try {
                chain.add(TufKey.certificate(Base64.getDecoder().decode(c.asText(""))));
            } catch (CertificateException e) {
                return new Rejected(Reason.MALFORMED_ENVELOPE, "an x5c certificate does not parse");
            }
        }
        X509Certificate leaf = chain.get(0);

        // Integrity: the signature over the signing input with the leaf key.
        String alg = header.path("alg").asText("");
        byte[] signingInput = (protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII);
        if (!signatureVerifies(alg, leaf.getPublicKey(), signingInput, url.decode(signatureB64))) {
            return new Rejected(
                    Reason.BAD_SIGNATURE,
                    "the signature does not verify with the certificate " + subject(leaf) + " (alg " + alg
                            + "): the envelope was altered or signed otherwise");
        }

        JsonNode payload = JSON.readTree(url.decode(payloadB64));
        String signedDigest = payload.path("targetArtifact").path("digest").asText("");
        if (!signedDigest.equals(digest)) {
            return new Rejected(
                    Reason.DIGEST_MISMATCH, "signed for " + abbreviate(signedDigest) + ", not for " + digest);
        }

        // Authenticity: the chain leads to a trust anchor, evaluated at the signing time.
        String anchor = trustedBy(chain, anchors, signingTime);
        if (anchor == null) {
            return new Rejected(
                    Reason.UNTRUSTED_CHAIN,
                    "the certificate chain of " + subject(leaf) + " leads to none of the signer's trust anchors");
        }
        if (!mayCodeSign(leaf)) {
            return new Rejected(
                    Reason.UNTRUSTED_CHAIN,
                    "the certificate " + subject(leaf) + " may not sign code (key usage / extended key usage)");
        }
        Instant now = clock.instant();
        for (X509Certificate c : chain) {
            for (Instant at : List.of(signingTime, now)) {
                try {
                    c.checkValidity(Date.from(at));
                } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                    return new Rejected(
                            Reason.EXPIRED_CERTIFICATE,
                            "the certificate " + subject(c) + " is valid from "
                                    + c.getNotBefore().toInstant()
                                    + " to " + c.getNotAfter().toInstant() + ", not at "
                                    + (at.equals(now) ? "the time of verification " : "the signing time ") + at);
                }
            }
        }
        if (expiry != null && !now.isBefore(expiry)) {
            return new Rejected(Reason.EXPIRED_SIGNATURE, "the signature expired at " + expiry + " (now " + now + ")");
        }
        if (!identities.isEmpty() && identities.stream().noneMatch(i -> i.matches(leaf.getSubjectX500Principal()))) {
            return new Rejected(
                    Reason.IDENTITY_MISMATCH,
                    "the signing certificate's subject " + subject(leaf) + " matches none of the trusted identities "
                            + identities.stream().map(TrustedIdentity::text).toList());
        }
        return new NotationCheck.Valid(subject(leaf), anchor, expiry);
    }

    /** The subject of the anchor the chain leads to, or {@code null}. */
    private static String trustedBy(List<X509Certificate> chain, List<X509Certificate> anchors, Instant at) {
        byte[] leaf = encoded(chain.get(0));
        for (X509Certificate a : anchors) {
            if (Arrays.equals(encoded(a), leaf)) {
                return subject(a); // the leaf is itself an anchor (a self-signed signing certificate)
            }
        }
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : chain) {
            if (anchors.stream().noneMatch(a -> Arrays.equals(encoded(a), encoded(c)))) {
                path.add(c);
            }
        }
        if (path.isEmpty()) {
            return null;
        }
        for (X509Certificate a : anchors) {
            try {
                PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(a, null)));
                params.setRevocationEnabled(false);
                params.setDate(Date.from(at));
                CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
                CertPathValidator.getInstance("PKIX").validate(certPath, params);
                return subject(a);
            } catch (CertPathValidatorException e) {
                // not this anchor
            } catch (GeneralSecurityException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean mayCodeSign(X509Certificate leaf) {
        boolean[] usage = leaf.getKeyUsage();
        if (usage != null && (usage.length == 0 || !usage[0])) {
            return false; // digitalSignature
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            return eku == null || eku.contains(CODE_SIGNING);
        } catch (CertificateException e) {
            return false;
        }
    }

    private static boolean signatureVerifies(String alg, PublicKey key, byte[] input, byte[] signature) {
        try {
            Signature verifier;
            switch (alg) {
                case "PS256", "PS384", "PS512" -> {
                    if (!(key instanceof RSAPublicKey rsa) || rsa.getModulus().bitLength() < 2048) {
                        return false;
                    }
                    String hash = "SHA-" + alg.substring(2);
                    int salt = Integer.parseInt(alg.substring(2)) / 8;
                    verifier = Signature.getInstance("RSASSA-PSS");
                    verifier.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), salt, 1));
                }
                case "ES256", "ES384", "ES512" -> {
                    if (!(key instanceof ECPublicKey)) {
                        return false;
                    }
                    verifier = Signature.getInstance("SHA" + alg.substring(2) + "withECDSAinP1363Format");
                }
                default -> {
                    return false;
                }
            }
            verifier.initVerify(key);
            verifier.update(input);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (CertificateException e) {
            return new byte[0];
        }
    }

    private static String subject(X509Certificate c) {
        return "\"" + c.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253) + "\"";
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
