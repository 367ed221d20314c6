package io.trustgate.cosign;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * One keyless identity a signer accepts: the OIDC issuer that vouched for the signer (Fulcio's issuer extension)
 * and the signer's identity (a subject alternative name of the Fulcio certificate: an e-mail address or a URI such
 * as a CI workflow), given exactly or as a regular expression.
 *
 * <p>The regular expression is RE2 (re2j): matching time is linear in the input, with no backtracking, so a hostile
 * certificate cannot stall a verification thread. It must match the <em>whole</em> identity ({@code cosign
 * --certificate-identity-regexp} searches; write {@code .*} where any prefix or suffix is meant).
 *
 * @param issuer the OIDC issuer URL, compared exactly
 * @param subject the exact identity, or {@code null} when {@code subjectRegExp} is given
 * @param subjectRegExp the identity pattern, or {@code null} when {@code subject} is given
 */
public record CertificateIdentity(String issuer, String subject, Pattern subjectRegExp) {

    /** Fulcio's issuer extension (v2, a DER UTF8String). */
    static final String OID_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";

    /** Fulcio's first issuer extension (the raw string). */
    static final String OID_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";

    private static final int SAN_RFC822 = 1;
    private static final int SAN_URI = 6;

    public CertificateIdentity {
        Objects.requireNonNull(issuer, "issuer");
        if ((subject == null) == (subjectRegExp == null)) {
            throw new IllegalArgumentException("exactly one of subject and subjectRegExp");
        }
    }

    /** Checks and compiles one identity rule as a policy gives it. */
    public static CertificateIdentity of(String issuer, String subject, String subjectRegExp)
            throws InvalidIdentityException {
        if (issuer == null || issuer.isBlank()) {
            throw new InvalidIdentityException("an identity needs an issuer (the OIDC issuer URL)");
        }
        boolean exact = subject != null && !subject.isBlank();
        boolean pattern = subjectRegExp != null && !subjectRegExp.isBlank();
        if (exact == pattern) {
            throw new InvalidIdentityException("an identity needs exactly one of subject and subjectRegExp");
        }
        for (String s : new String[] {issuer, subject, subjectRegExp}) {
            if (s != null && s.length() > CosignLimits.MAX_IDENTITY_CHARS) {
                throw new InvalidIdentityException(
                        "identity text longer than " + CosignLimits.MAX_IDENTITY_CHARS + " characters");
            }
        }
        if (exact) {
            return new CertificateIdentity(issuer.strip(), subject.strip(), null);
        }
        try {
            return new CertificateIdentity(issuer.strip(), null, Pattern.compile(subjectRegExp.strip()));
        } catch (PatternSyntaxException e) {
            throw new InvalidIdentityException("subjectRegExp is not an RE2 regular expression: " + e.getMessage());
        }
    }

    /** The issuer and identities of a Fulcio certificate, as read from its extensions. */
    public record Claimed(String issuer, List<String> subjects) {
        public Claimed {
            subjects = List.copyOf(subjects);
        }

        @Override
        public String toString() {
            return "issuer " + (issuer == null ? "(none)" : issuer) + ", subject " + subjects;
        }
    }

    /** Reads the issuer and the subject alternative names (e-mail and URI) of a certificate. */
    public static Claimed claimed(X509Certificate cert) {
        String issuer = extension(cert, OID_ISSUER_V2, true);
        if (issuer == null) {
            issuer = extension(cert, OID_ISSUER_V1, false);
        }
        List<String> subjects = new ArrayList<>();
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (name.size() == 2
                            && name.get(0) instanceof Integer type
                            && (type == SAN_RFC822 || type == SAN_URI)
                            && name.get(1) instanceof String value) {
                        subjects.add(value);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // No readable SAN: the certificate names nobody, so no identity matches.
        }
        return new Claimed(issuer, subjects);
    }

    /** Whether the certificate's issuer and one of its identities match this rule. */
    public boolean matches(Claimed claimed) {
        if (!issuer.equals(claimed.issuer())) {
            return false;
        }
        for (String s : claimed.subjects()) {
            if (s.length() > CosignLimits.MAX_IDENTITY_CHARS) {
                continue;
            }
            if (subject != null ? subject.equals(s) : subjectRegExp.matches(s)) {
                return true;
            }
        }
        return false;
    }

    private static String extension(X509Certificate cert, String oid, boolean derString) {
        byte[] outer = cert.getExtensionValue(oid);
        if (outer == null) {
            return null;
        }
        try {
            byte[] inner = ASN1OctetString.getInstance(outer).getOctets();
            if (!derString) {
                return new String(inner, StandardCharsets.UTF_8);
            }
            ASN1Primitive value = ASN1Primitive.fromByteArray(inner);
            return value instanceof ASN1String text ? text.getString() : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "issuer " + issuer + ", " + (subject != null ? "subject " + subject : "subjectRegExp " + subjectRegExp);
    }
}
