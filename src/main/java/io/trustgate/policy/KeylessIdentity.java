package io.trustgate.policy;

import java.util.Objects;

/**
 * One keyless cosign identity a signer accepts ({@code identities: [{issuer, subject | subjectRegExp}]}), as the
 * policy wrote it; checked (the pattern compiled as RE2) when the policy loads.
 *
 * @param issuer the OIDC issuer URL the Fulcio certificate must name
 * @param subject the exact certificate identity (e-mail or URI), or {@code null}
 * @param subjectRegExp an RE2 pattern the whole identity must match, or {@code null}
 */
public record KeylessIdentity(String issuer, String subject, String subjectRegExp) {

    public KeylessIdentity {
        Objects.requireNonNull(issuer, "issuer");
    }

    @Override
    public String toString() {
        return issuer + " " + (subject != null ? subject : "~" + subjectRegExp);
    }
}
