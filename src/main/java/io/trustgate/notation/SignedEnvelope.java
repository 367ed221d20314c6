package io.trustgate.notation;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What one Notation envelope (JWS or COSE) says, read but not yet trusted: the format-specific readers
 * ({@link JwsEnvelope}, {@link CoseEnvelope}) produce it, and {@link NotationVerifier} checks it the same way for
 * both formats.
 *
 * @param format {@code JWS} or {@code COSE}, for messages
 * @param headers the names of the Notary headers in the protected header ({@code io.cncf.notary.*})
 * @param critical the {@code crit} entries (an integer COSE label as {@code "label N"})
 * @param alg the signature algorithm as JWS names it (PS256..PS512, ES256..ES512); COSE's numbers are mapped
 * @param contentType the protected {@code cty}
 * @param signingScheme {@code io.cncf.notary.signingScheme}
 * @param signingTime {@code io.cncf.notary.signingTime}, or {@code null}
 * @param expiry {@code io.cncf.notary.expiry}, or {@code null}
 * @param signingInput the exact bytes the signature covers (JWS signing input, COSE {@code Sig_structure})
 * @param signature the signature value (ECDSA as r||s)
 * @param payload the payload bytes (the target artifact descriptor, JSON)
 * @param chain the certificate chain, signing certificate first
 */
record SignedEnvelope(
        String format,
        Set<String> headers,
        List<String> critical,
        String alg,
        String contentType,
        String signingScheme,
        Instant signingTime,
        Instant expiry,
        @SuppressWarnings("ArrayRecordComponent") byte[] signingInput,
        @SuppressWarnings("ArrayRecordComponent") byte[] signature,
        @SuppressWarnings("ArrayRecordComponent") byte[] payload,
        List<X509Certificate> chain) {

    static final String SIGNING_SCHEME = "io.cncf.notary.signingScheme";
    static final String SIGNING_TIME = "io.cncf.notary.signingTime";
    static final String EXPIRY = "io.cncf.notary.expiry";
    static final String AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime";
    static final String VERIFICATION_PLUGIN = "io.cncf.notary.verificationPlugin";
    static final String VERIFICATION_PLUGIN_MIN_VERSION = "io.cncf.notary.verificationPluginMinVersion";

    SignedEnvelope {
        headers = Set.copyOf(headers);
        critical = List.copyOf(critical);
        chain = List.copyOf(chain);
    }
}
