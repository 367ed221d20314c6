package io.trustgate.notation;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustgate.notation.NotationCheck.Reason;
import io.trustgate.notation.NotationCheck.Rejected;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies one Notation (Notary Project signature specification v1) envelope, JWS or COSE, against one signer's
 * trust anchors and trusted identities, at the verification level {@code strict}. The format readers ({@link
 * JwsEnvelope}, {@link CoseEnvelope}) only read; every check below is made here, once, for both formats:
 *
 * <ol>
 *   <li>envelope: {@code cty} {@value #PAYLOAD_CONTENT_TYPE}, every {@code crit} header understood and the Notary
 *       critical headers listed in it;
 *   <li>signing scheme {@code notary.x509} ({@code notary.x509.signingAuthority} needs a time-stamping authority,
 *       which trustgate does not verify: such signatures are rejected, never trusted on their word);
 *   <li>integrity: the signature over the envelope's signing input (JWS signing input, COSE {@code Sig_structure})
 *       with the leaf certificate's key, {@code alg} being the one the key's type and size call for (PS256/384/512
 *       for RSA 2048/3072/4096, ES256/384/512 for P-256/384/521);
 *   <li>the payload's {@code targetArtifact} is the verified image: its digest, and its media type and size where
 *       the caller knows them;
 *   <li>authenticity: the chain leads to one of the anchors (JDK PKIX at the signing time, no revocation: an
 *       offline check), the leaf may sign code (key usage, extended key usage);
 *   <li>every certificate valid at the signing time and now (no time stamp countersignature, as notation does);
 *   <li>expiry: {@code io.cncf.notary.expiry} not passed;
 *   <li>the leaf subject matches a trusted identity (none listed: any subject under the anchors).
 * </ol>
 */
public final class NotationVerifier {

    /** The JWS envelope media type. */
    public static final String JWS = "application/jose+json";
    /** The COSE envelope media type. */
    public static final String COSE = "application/cose";
    /** The content type of the signed payload. */
    public static final String PAYLOAD_CONTENT_TYPE = "application/vnd.cncf.notary.payload.v1+json";

    private static final Set<String> KNOWN_CRITICAL =
            Set.of(SignedEnvelope.SIGNING_SCHEME, SignedEnvelope.EXPIRY, SignedEnvelope.AUTHENTIC_SIGNING_TIME);
    private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

    /**
     * The artifact a signature must be for: the image manifest's descriptor as the registry gave it.
     *
     * @param mediaType the manifest's media type, or {@code null} when unknown (then not compared)
     * @param digest the verified image digest
     * @param size the manifest's size, or {@code -1} when unknown (then not compared)
     */
    public record TargetArtifact(String mediaType, String digest, long size) {
        public TargetArtifact {
            Objects.requireNonNull(digest, "digest");
        }
    }

    private final Clock clock;

    public NotationVerifier(Clock clock) {
        this.clock = clock;
    }

    /**
     * Checks one envelope against the image digest alone (media type and size not compared).
     *
     * @see #verify(byte[], String, List, List, TargetArtifact)
     */
    public NotationCheck verify(
            byte[] envelope,
            String mediaType,
            List<X509Certificate> anchors,
            List<TrustedIdentity> identities,
            String digest) {
        return verify(envelope, mediaType, anchors, identities, new TargetArtifact(null, digest, -1));
    }

    /**
     * Checks one envelope.
     *
     * @param envelope the envelope blob (at most {@link NotationLimits#MAX_ENVELOPE_BYTES})
     * @param mediaType the envelope's media type, {@link #JWS} or {@link #COSE}
     * @param anchors the signer's trust anchors (CA or self-signed certificates)
     * @param identities the signer's trusted identities; empty accepts any subject under the anchors
     * @param target the image that must be the signed target artifact
     */
    public NotationCheck verify(
            byte[] envelope,
            String mediaType,
            List<X509Certificate> anchors,
            List<TrustedIdentity> identities,
            TargetArtifact target) {
        if (!JWS.equals(mediaType) && !COSE.equals(mediaType)) {
            return new Rejected(Reason.MALFORMED_ENVELOPE, "unknown envelope media type " + mediaType);
        }
        if (envelope.length > NotationLimits.MAX_ENVELOPE_BYTES) {
            return new Rejected(
                    Reason.MALFORMED_ENVELOPE,
                    "envelope has " + envelope.length + " bytes, more than the limit of "
                            + NotationLimits.MAX_ENVELOPE_BYTES);
        }
        try {
            SignedEnvelope signed = JWS.equals(mediaType) ? JwsEnvelope.read(envelope) : CoseEnvelope.read(envelope);
            return check(signed, anchors, identities, target);
        } catch (EnvelopeException e) {
            return e.rejection();
        }
    }

    private NotationCheck check(
            SignedEnvelope envelope,
            List<X509Certificate> anchors,
            List<TrustedIdentity> identities,
            TargetArtifact target)
            throws EnvelopeException {
        checkHeaders(envelope);
        X509Certificate leaf = envelope.chain().get(0);

        // Integrity: the signature over the signing input with the leaf key, by the algorithm the key calls for.
        String alg = envelope.alg();
        String expected = algorithmFor(leaf.getPublicKey());
        if (!alg.equals(expected)) {
            return new Rejected(
                    Reason.BAD_SIGNATURE,
                    "the envelope's alg " + (alg.isEmpty() ? "(none)" : alg) + " is not " + expected
                            + ", the algorithm of the certificate " + subject(leaf) + "'s key");
        }
        if (!signatureVerifies(alg, leaf.getPublicKey(), envelope.signingInput(), envelope.signature())) {
            return new Rejected(
                    Reason.BAD_SIGNATURE,
                    "the " + envelope.format() + " signature does not verify with the certificate " + subject(leaf)
                            + " (alg " + alg + "): the envelope was altered or signed otherwise");
        }

        Rejected wrongTarget = checkTarget(envelope.payload(), target);
        if (wrongTarget != null) {
            return wrongTarget;
        }

        // Authenticity: the chain leads to a trust anchor, evaluated at the signing time.
        List<X509Certificate> chain = envelope.chain();
        Instant signingTime = envelope.signingTime();
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
        Instant expiry = envelope.expiry();
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

    /** Critical headers, signing scheme, content type and signing time (signature specification, both formats). */
    private static void checkHeaders(SignedEnvelope envelope) throws EnvelopeException {
        Set<String> headers = envelope.headers();
        Set<String> crit = new HashSet<>(envelope.critical());
        for (String c : crit) {
            if (!KNOWN_CRITICAL.contains(c)) {
                throw new EnvelopeException(Reason.UNSUPPORTED, "unknown critical header " + c);
            }
            if (!headers.contains(c)) {
                throw new EnvelopeException(Reason.MALFORMED_ENVELOPE, "critical header " + c + " is missing");
            }
        }
        if (headers.contains(SignedEnvelope.VERIFICATION_PLUGIN)
                || headers.contains(SignedEnvelope.VERIFICATION_PLUGIN_MIN_VERSION)) {
            throw new EnvelopeException(
                    Reason.UNSUPPORTED, "signatures that need a verification plugin are not supported");
        }
        if (!crit.contains(SignedEnvelope.SIGNING_SCHEME)
                || (headers.contains(SignedEnvelope.EXPIRY) && !crit.contains(SignedEnvelope.EXPIRY))
                || (headers.contains(SignedEnvelope.AUTHENTIC_SIGNING_TIME)
                        && !crit.contains(SignedEnvelope.AUTHENTIC_SIGNING_TIME))) {
            throw new EnvelopeException(
                    Reason.MALFORMED_ENVELOPE,
                    "signing scheme, expiry and authentic signing time must be critical headers (crit)");
        }
        String scheme = envelope.signingScheme();
        if (!scheme.equals("notary.x509")) {
            throw new EnvelopeException(
                    Reason.UNSUPPORTED,
                    "signing scheme \"" + scheme + "\" is not supported (notary.x509.signingAuthority needs a"
                            + " time-stamping authority trustgate does not verify); sign with notary.x509");
        }
        if (!PAYLOAD_CONTENT_TYPE.equals(envelope.contentType())) {
            throw new EnvelopeException(
                    Reason.MALFORMED_ENVELOPE, "payload content type is not " + PAYLOAD_CONTENT_TYPE);
        }
        if (envelope.signingTime() == null) {
            throw new EnvelopeException(
                    Reason.MALFORMED_ENVELOPE, "the signing time (" + SignedEnvelope.SIGNING_TIME + ") is missing");
        }
    }

    /** The signed {@code targetArtifact} against the image: {@code null} when it is the image. */
    private static Rejected checkTarget(byte[] payload, TargetArtifact target) throws EnvelopeException {
        JsonNode artifact;
        try {
            JsonNode root = JwsEnvelope.JSON.readTree(payload);
            artifact = root == null ? null : root.get("targetArtifact");
        } catch (IOException e) {
            throw new EnvelopeException(Reason.MALFORMED_ENVELOPE, "the signed payload is not JSON");
        }
        if (artifact == null || !artifact.isObject()) {
            throw new EnvelopeException(Reason.MALFORMED_ENVELOPE, "the signed payload has no targetArtifact");
        }
        String signedDigest = artifact.path("digest").asText("");
        if (!signedDigest.equals(target.digest())) {
            return new Rejected(
                    Reason.DIGEST_MISMATCH, "signed for " + abbreviate(signedDigest) + ", not for " + target.digest());
        }
        String signedType = artifact.path("mediaType").asText("");
        if (target.mediaType() != null && !signedType.equals(target.mediaType())) {
            return new Rejected(
                    Reason.DIGEST_MISMATCH,
                    "signed for media type " + abbreviate(signedType) + ", but " + target.digest() + " is a "
                            + target.mediaType());
        }
        JsonNode size = artifact.get("size");
        if (target.size() >= 0
                && (size == null || !size.canConvertToExactIntegral() || size.asLong() != target.size())) {
            return new Rejected(
                    Reason.DIGEST_MISMATCH,
                    "signed for size " + (size == null ? "(none)" : abbreviate(size.asText())) + ", but "
                            + target.digest() + " has " + target.size() + " bytes");
        }
        return null;
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

    /**
     * The signature algorithm a key calls for (signature specification, algorithm selection): the envelope's
     * {@code alg} must be it, so no algorithm can be substituted.
     */
    private static String algorithmFor(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return switch (rsa.getModulus().bitLength()) {
                case 2048 -> "PS256";
                case 3072 -> "PS384";
                case 4096 -> "PS512";
                default -> "(none: RSA keys of " + rsa.getModulus().bitLength() + " bits are not allowed)";
            };
        }
        if (key instanceof ECPublicKey ec) {
            return switch (ec.getParams().getCurve().getField().getFieldSize()) {
                case 256 -> "ES256";
                case 384 -> "ES384";
                case 521 -> "ES512";
                default -> "(none: this elliptic curve is not allowed)";
            };
        }
        return "(none: " + key.getAlgorithm() + " keys are not allowed)";
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
