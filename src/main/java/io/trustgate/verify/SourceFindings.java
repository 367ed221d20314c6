package io.trustgate.verify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one signature source found for one image digest under one policy.
 *
 * @param found the policy's signers with a valid signature over the digest
 * @param problems why signatures that were looked at did not count (shown in denials)
 * @param warnings things an admin should act on even when admitted (e.g. trust data expiring soon)
 * @param expiresAt when what was verified stops being valid (earliest expiry of the data used), or
 *     {@code null} when it does not expire
 * @param unavailable an upstream (registry, lookaside, Notary) could not be reached, so the findings say
 *     nothing about the signatures: cached only briefly, and a recent good verdict may be served instead
 * @param signatures each signature examined, for {@code trustgate inspect} (sources that report them: GPG, cosign,
 *     Notation); the verdict never reads them
 */
public record SourceFindings(
        List<SignerEvidence> found,
        List<String> problems,
        List<String> warnings,
        Instant expiresAt,
        boolean unavailable,
        List<SignatureReport> signatures) {

    public static final SourceFindings NONE = new SourceFindings(List.of(), List.of(), List.of(), null);

    public SourceFindings {
        found = List.copyOf(found);
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
        signatures = List.copyOf(signatures);
    }

    /** Findings without per-signature reports. */
    public SourceFindings(
            List<SignerEvidence> found,
            List<String> problems,
            List<String> warnings,
            Instant expiresAt,
            boolean unavailable) {
        this(found, problems, warnings, expiresAt, unavailable, List.of());
    }

    /** The same findings with these per-signature reports added. */
    public SourceFindings withSignatures(List<SignatureReport> more) {
        List<SignatureReport> s = new ArrayList<>(signatures);
        s.addAll(more);
        return new SourceFindings(found, problems, warnings, expiresAt, unavailable, s);
    }

    /** Findings from upstreams that answered. */
    public SourceFindings(List<SignerEvidence> found, List<String> problems, List<String> warnings, Instant expiresAt) {
        this(found, problems, warnings, expiresAt, false);
    }

    public static SourceFindings problem(String problem) {
        return new SourceFindings(List.of(), List.of(problem), List.of(), null);
    }

    /** An upstream could not be reached (timeout, connection refused, 5xx). */
    public static SourceFindings unavailable(String problem) {
        return new SourceFindings(List.of(), List.of(problem), List.of(), null, true);
    }

    public SourceFindings plus(SourceFindings other) {
        List<SignerEvidence> f = new ArrayList<>(found);
        f.addAll(other.found);
        List<String> p = new ArrayList<>(problems);
        p.addAll(other.problems);
        List<String> w = new ArrayList<>(warnings);
        w.addAll(other.warnings);
        Instant e = expiresAt == null
                ? other.expiresAt
                : other.expiresAt == null
                        ? expiresAt
                        : (expiresAt.isBefore(other.expiresAt) ? expiresAt : other.expiresAt);
        List<SignatureReport> s = new ArrayList<>(signatures);
        s.addAll(other.signatures);
        return new SourceFindings(f, p, w, e, unavailable || other.unavailable, s);
    }
}
