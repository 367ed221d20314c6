package io.trustgate.policy;

import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A TrustException compiled for evaluation: in its own namespace, until {@code expires}, the images it names are
 * admitted without being checked against the policies it names (if those policies allow exceptions, see
 * {@link ExemptionRule}). Only valid exceptions are compiled; {@link #compile} says why one is not.
 *
 * @param patterns image patterns ({@link ImagePattern}, the syntax of a policy's {@code images})
 * @param digests exact images, {@code repository@sha256:…}: they match only a reference that carries that digest
 *     (no tag is resolved for an exception)
 * @param policies the policy names as written: {@code name} (a ClusterTrustPolicy, or a TrustPolicy of the
 *     exception's namespace), or {@code ClusterTrustPolicy/name}, {@code TrustPolicy/name}
 * @param created the exception's creation time: its lifetime is measured from it, so editing {@code expires} can
 *     never stretch it beyond the cap
 */
public record Exemption(
        String namespace,
        String name,
        List<ImagePattern> patterns,
        List<ImageReference> digests,
        List<String> policies,
        String reason,
        Instant created,
        Instant expires) {

    /** Most entries of {@code images} in one exception. */
    public static final int MAX_IMAGES = 64;
    /** Most entries of {@code policies} in one exception. */
    public static final int MAX_POLICIES = 32;
    /** Longest {@code reason}: it is repeated in every admission warning. */
    public static final int MAX_REASON_LENGTH = 512;

    private static final Pattern POLICY_NAME =
            Pattern.compile("((ClusterTrustPolicy|TrustPolicy)/)?[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    public Exemption {
        patterns = List.copyOf(patterns);
        digests = List.copyOf(digests);
        policies = List.copyOf(policies);
    }

    /**
     * Checks and compiles one TrustException.
     *
     * @param cap the longest lifetime any exception may have ({@code TRUSTGATE_EXCEPTIONS_MAX_DURATION})
     * @throws InvalidPolicyException naming what is wrong; such an exception never applies
     */
    public static Exemption compile(
            String namespace,
            String name,
            List<String> images,
            List<String> policies,
            String reason,
            Instant created,
            String expires,
            Duration cap)
            throws InvalidPolicyException {
        if (images == null || images.isEmpty()) {
            throw new InvalidPolicyException("images must list at least one pattern or digest");
        }
        if (images.size() > MAX_IMAGES) {
            throw new InvalidPolicyException("images lists " + images.size() + " entries, more than " + MAX_IMAGES);
        }
        List<ImagePattern> patterns = new ArrayList<>();
        List<ImageReference> digests = new ArrayList<>();
        for (String entry : images) {
            if (entry != null && entry.contains("@")) {
                try {
                    ImageReference ref = ImageReference.parse(entry.strip());
                    if (ref.tag() != null) {
                        throw new InvalidPolicyException("images: \"" + entry + "\" has both a tag and a digest; "
                                + "write repository@sha256:<hex>");
                    }
                    digests.add(ref);
                } catch (InvalidImageReferenceException e) {
                    throw new InvalidPolicyException("images: " + e.getMessage(), e);
                }
            } else {
                try {
                    patterns.add(ImagePattern.compile(entry));
                } catch (InvalidPolicyException e) {
                    throw new InvalidPolicyException("images: " + e.getMessage(), e);
                }
            }
        }
        if (policies == null || policies.isEmpty()) {
            throw new InvalidPolicyException("policies must name at least one TrustPolicy or ClusterTrustPolicy");
        }
        if (policies.size() > MAX_POLICIES) {
            throw new InvalidPolicyException(
                    "policies lists " + policies.size() + " entries, more than " + MAX_POLICIES);
        }
        for (String p : policies) {
            if (p == null || !POLICY_NAME.matcher(p).matches()) {
                throw new InvalidPolicyException("policies: \"" + p + "\" is not a policy name (name, "
                        + "ClusterTrustPolicy/name or TrustPolicy/name)");
            }
        }
        if (reason == null || reason.isBlank()) {
            throw new InvalidPolicyException("reason must say why the exception is needed");
        }
        if (reason.length() > MAX_REASON_LENGTH) {
            throw new InvalidPolicyException("reason is longer than " + MAX_REASON_LENGTH + " characters");
        }
        if (expires == null || expires.isBlank()) {
            throw new InvalidPolicyException("expires is required (an RFC 3339 time such as 2026-12-31T18:00:00Z)");
        }
        Instant until;
        try {
            until = java.time.OffsetDateTime.parse(expires.strip()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidPolicyException(
                    "expires \"" + expires + "\" is not an RFC 3339 time such as 2026-12-31T18:00:00Z", e);
        }
        if (!until.isAfter(created)) {
            throw new InvalidPolicyException(
                    "expires " + until + " is not after the exception's creation " + created + ": it never applies");
        }
        Duration lifetime = Duration.between(created, until);
        if (lifetime.compareTo(cap) > 0) {
            throw new InvalidPolicyException("expires " + until + " is " + human(lifetime) + " after the exception's "
                    + "creation, more than the " + human(cap)
                    + " trustgate allows (TRUSTGATE_EXCEPTIONS_MAX_DURATION); "
                    + "create a new exception with an earlier expiry when this one ends");
        }
        return new Exemption(namespace, name, patterns, digests, List.copyOf(policies), reason.strip(), created, until);
    }

    /** {@code namespace/name}, as messages and metrics name it. */
    public String ref() {
        return namespace + "/" + name;
    }

    /** From creation to expiry. */
    public Duration lifetime() {
        return Duration.between(created, expires);
    }

    /** Whether the exception still applies at {@code now} (it stops at {@code expires}, exactly). */
    public boolean activeAt(Instant now) {
        return now.isBefore(expires);
    }

    /** Whether one of its patterns or digests names the image. */
    public boolean matches(ImageReference image) {
        String repository = image.repository();
        for (ImagePattern p : patterns) {
            if (p.matches(repository, image.tag())) {
                return true;
            }
        }
        if (image.digest() != null) {
            for (ImageReference d : digests) {
                if (d.digest().equals(image.digest()) && d.repository().equals(repository)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether it names this policy (a TrustPolicy only of the exception's own namespace). */
    public boolean names(PolicyId id) {
        if (!id.isCluster() && !id.namespace().equals(namespace)) {
            return false;
        }
        for (String p : policies) {
            int slash = p.indexOf('/');
            String kind = slash < 0 ? null : p.substring(0, slash);
            String policyName = p.substring(slash + 1);
            if (policyName.equals(id.name())
                    && (kind == null || kind.equals(id.kind().name()))) {
                return true;
            }
        }
        return false;
    }

    /** A duration as people write it: {@code 30d}, {@code 36h}, {@code 90m}, {@code 45s}. */
    public static String human(Duration d) {
        long s = d.toSeconds();
        if (s != 0 && s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s != 0 && s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
