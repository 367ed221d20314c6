package io.trustgate.pgp;

import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the identity in a signature must relate to the image being admitted (containers/image signedIdentity).
 *
 * <p>Both sides are normalised like Docker before comparison ({@code busybox:latest} is
 * {@code docker.io/library/busybox:latest}), but a signed identity without a tag stays without one: it is
 * never read as {@code :latest}. The image reference is the one the workload names (tag, digest, or
 * both); the resolved manifest digest is checked separately against the signed digest, so a caller that
 * resolved a tag passes the reference as written, not a tag-and-digest reference made up from it.
 *
 * <p>A reference with both a tag and a digest ({@code name:tag@sha256:…}, what trustgate's /mutate pins a
 * verified image to) is where trustgate departs from upstream, which accepts such an image only under an
 * identity equal in both parts, and so would reject every signature made for {@code name:tag}. Here the
 * digest decides (it must equal the signed manifest digest, as for any reference), and the identity must
 * name the repository, and the tag when it names one; a digest in the identity must be that digest. So
 * under {@code matchRepoDigestOrExact} {@code name:tag}, {@code name@digest} and {@code name:tag@digest}
 * are accepted and {@code name:other} is not; {@code matchExact} also needs the identity to name the tag.
 */
public sealed interface SignedIdentity {

    /** The default rule, {@code matchRepoDigestOrExact}. */
    // ClassInitializationDeadlock needs a thread to initialise MatchRepoDigestOrExact before SignedIdentity;
    // nothing does: every use of it goes through this interface's static members (DEFAULT, parse), which
    // initialise SignedIdentity first. Moving DEFAULT out would rename it in twenty callers for no gain.
    @SuppressWarnings("ClassInitializationDeadlock")
    SignedIdentity DEFAULT = new MatchRepoDigestOrExact();

    /**
     * Checks a signed {@code docker-reference} against the image.
     *
     * @return empty when the identity is accepted; otherwise the rejection with its reason
     *     ({@link SignatureCheck.Reason#INVALID_IDENTITY} or {@link SignatureCheck.Reason#IDENTITY_MISMATCH})
     */
    default Optional<SignatureCheck.Rejected> check(ImageReference image, String signedReference) {
        Objects.requireNonNull(image, "image");
        ImageReference signed;
        try {
            signed = parseSigned(signedReference);
        } catch (InvalidImageReferenceException e) {
            return Optional.of(new SignatureCheck.Rejected(
                    SignatureCheck.Reason.INVALID_IDENTITY,
                    "signed identity \"" + signedReference + "\" is not a valid docker reference: " + e.getMessage()));
        }
        if (accepts(image, signed)) {
            return Optional.empty();
        }
        String shown =
                signedReference.equals(signed.toString()) ? signedReference : signedReference + " (" + signed + ")";
        return Optional.of(new SignatureCheck.Rejected(
                SignatureCheck.Reason.IDENTITY_MISMATCH,
                "signed identity " + shown + " does not match " + image + " under " + this));
    }

    /** The rule applied to an image and a parsed, normalised signed identity (tag {@code null} when not written). */
    boolean accepts(ImageReference image, ImageReference signed);

    /** The rule by its policy name: {@code matchRepoDigestOrExact}, {@code matchRepository} or {@code matchExact}. */
    static SignedIdentity parse(String name) throws InvalidSignedIdentityException {
        if (name == null || name.isEmpty()) {
            return DEFAULT;
        }
        return switch (name) {
            case "matchRepoDigestOrExact" -> new MatchRepoDigestOrExact();
            case "matchRepository" -> new MatchRepository();
            case "matchExact" -> new MatchExact();
            case "exactReference", "exactRepository", "remapIdentity" ->
                throw new InvalidSignedIdentityException(
                        "signedIdentity " + name + " needs its parameters; use SignedIdentity." + name + "(...)");
            default ->
                throw new InvalidSignedIdentityException("unknown signedIdentity \"" + name
                        + "\"; expected matchRepoDigestOrExact, matchRepository, matchExact, exactReference,"
                        + " exactRepository or remapIdentity");
        };
    }

    /** {@code exactReference}: the signed identity must equal this reference, which has a tag or a digest. */
    static SignedIdentity exactReference(String dockerReference) throws InvalidSignedIdentityException {
        ImageReference reference = parsePolicyReference("exactReference", dockerReference);
        if (reference.tag() == null && reference.digest() == null) {
            throw new InvalidSignedIdentityException(
                    "exactReference \"" + dockerReference + "\" has neither a tag nor a digest");
        }
        return new ExactReference(reference);
    }

    /** {@code exactRepository}: the signed identity must be in this repository (any tag or digest). */
    static SignedIdentity exactRepository(String dockerRepository) throws InvalidSignedIdentityException {
        ImageReference reference = parsePolicyReference("exactRepository", dockerRepository);
        return new ExactRepository(reference.repository());
    }

    /**
     * {@code remapIdentity}: when the image's fully expanded reference starts with {@code prefix} (at a
     * {@code /}, {@code :} or {@code @} boundary, or exactly), that prefix is replaced by
     * {@code signedPrefix}; the result is then matched as by {@code matchRepoDigestOrExact}. Both values are a
     * host[:port], a repository namespace or a repository in fully expanded form, without tag or digest
     * (e.g. {@code docker.io/library}, not {@code library}).
     */
    static SignedIdentity remapIdentity(String prefix, String signedPrefix) throws InvalidSignedIdentityException {
        validateRemapPrefix("prefix", prefix);
        validateRemapPrefix("signedPrefix", signedPrefix);
        return new RemapIdentity(prefix, signedPrefix);
    }

    private static void validateRemapPrefix(String field, String value) throws InvalidSignedIdentityException {
        if (value == null || value.isEmpty()) {
            throw new InvalidSignedIdentityException("remapIdentity " + field + " is empty");
        }
        String[] parts = value.split("/", -1);
        boolean hostOk = RemapPatterns.HOST.matcher(parts[0]).matches()
                && (parts.length == 1
                        || parts[0].contains(".")
                        || parts[0].contains(":")
                        || parts[0].equals("localhost"));
        boolean pathOk = true;
        for (int i = 1; i < parts.length; i++) {
            pathOk &= RemapPatterns.PATH_COMPONENT.matcher(parts[i]).matches();
        }
        if (!hostOk || !pathOk) {
            throw new InvalidSignedIdentityException("remapIdentity " + field + " \"" + value
                    + "\" is not a host[:port], namespace or repository in fully expanded form without tag or digest");
        }
    }

    /**
     * Parses a signed docker-reference like Docker, keeping "no tag" distinct from {@code :latest}.
     */
    static ImageReference parseSigned(String signedReference) throws InvalidImageReferenceException {
        if (signedReference == null) {
            throw new InvalidImageReferenceException("null", "no reference");
        }
        ImageReference parsed = ImageReference.parse(signedReference);
        return hasExplicitTag(signedReference)
                ? parsed
                : new ImageReference(parsed.domain(), parsed.path(), null, parsed.digest(), parsed.host());
    }

    private static boolean hasExplicitTag(String reference) {
        int at = reference.indexOf('@');
        String name = at < 0 ? reference : reference.substring(0, at);
        return name.lastIndexOf(':') > name.lastIndexOf('/');
    }

    private static ImageReference parsePolicyReference(String rule, String value)
            throws InvalidSignedIdentityException {
        try {
            return parseSigned(value);
        } catch (InvalidImageReferenceException e) {
            throw new InvalidSignedIdentityException(
                    rule + " \"" + value + "\" is not a valid docker reference: " + e.getMessage());
        }
    }

    private static boolean nameOnly(ImageReference reference) {
        return reference.tag() == null && reference.digest() == null;
    }

    /** {@code name:tag@digest}: a tag kept for readability beside the digest that decides. */
    private static boolean pinned(ImageReference image) {
        return image.tag() != null && image.digest() != null;
    }

    /**
     * The rule for a pinned image: same repository; the identity's tag, if any, is the image's tag (required
     * when {@code tagRequired}); the identity's digest, if any, is the image's digest.
     */
    private static boolean pinnedAccepts(ImageReference image, ImageReference signed, boolean tagRequired) {
        if (!signed.repository().equals(image.repository())) {
            return false;
        }
        if (signed.tag() == null ? tagRequired : !signed.tag().equals(image.tag())) {
            return false;
        }
        return signed.digest() == null || signed.digest().equals(image.digest());
    }

    /**
     * {@code matchRepoDigestOrExact}: an image named by tag needs exactly that signed reference; an image
     * named only by digest accepts any tagged or digested identity in its repository; a pinned
     * {@code name:tag@digest} accepts the identities described on {@link SignedIdentity}.
     */
    record MatchRepoDigestOrExact() implements SignedIdentity {
        @Override
        public boolean accepts(ImageReference image, ImageReference signed) {
            if (nameOnly(signed)) {
                return false;
            }
            if (pinned(image)) {
                return pinnedAccepts(image, signed, false);
            }
            if (image.tag() != null) {
                return signed.toString().equals(image.toString());
            }
            if (image.digest() != null) {
                // The digest itself is compared with the signed manifest digest, not here.
                return signed.repository().equals(image.repository());
            }
            return false;
        }

        @Override
        public String toString() {
            return "matchRepoDigestOrExact";
        }
    }

    /** {@code matchRepository}: the signed identity is in the image's repository. */
    record MatchRepository() implements SignedIdentity {
        @Override
        public boolean accepts(ImageReference image, ImageReference signed) {
            return signed.repository().equals(image.repository());
        }

        @Override
        public String toString() {
            return "matchRepository";
        }
    }

    /** {@code matchExact}: the signed identity equals the image reference (no defaults added on either side). */
    record MatchExact() implements SignedIdentity {
        @Override
        public boolean accepts(ImageReference image, ImageReference signed) {
            if (nameOnly(image) || nameOnly(signed)) {
                return false;
            }
            if (pinned(image)) {
                return pinnedAccepts(image, signed, true);
            }
            return signed.toString().equals(image.toString());
        }

        @Override
        public String toString() {
            return "matchExact";
        }
    }

    /** {@code exactReference}: the signed identity equals a fixed reference, whatever the image. */
    record ExactReference(ImageReference reference) implements SignedIdentity {
        public ExactReference {
            Objects.requireNonNull(reference, "reference");
        }

        @Override
        public boolean accepts(ImageReference image, ImageReference signed) {
            return signed.toString().equals(reference.toString());
        }

        @Override
        public String toString() {
            return "exactReference " + reference;
        }
    }

    /** {@code remapIdentity}: rewrite the image's prefix, then match as {@code matchRepoDigestOrExact}. */
    record RemapIdentity(String prefix, String signedPrefix) implements SignedIdentity {
        public RemapIdentity {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(signedPrefix, "signedPrefix");
        }

        @Override
        public boolean accepts(ImageReference image, ImageReference signed) {
            ImageReference intended = remap(image);
            return intended != null && DEFAULT.accepts(intended, signed);
        }

        /** The image reference with its prefix rewritten; unchanged when the prefix does not match; null if invalid. */
        ImageReference remap(ImageReference image) {
            String reference = image.toString();
            if (!matchesPrefix(reference)) {
                return image;
            }
            try {
                ImageReference remapped = ImageReference.parse(signedPrefix + reference.substring(prefix.length()));
                return new ImageReference(remapped.domain(), remapped.path(), image.tag(), image.digest());
            } catch (InvalidImageReferenceException e) {
                return null;
            }
        }

        private boolean matchesPrefix(String reference) {
            if (!reference.startsWith(prefix)) {
                return false;
            }
            if (reference.length() == prefix.length()) {
                return true;
            }
            char next = reference.charAt(prefix.length());
            // "docker.io/library/busybox" covers "docker.io/library/busybox:latest" but not ".../busybox-foo".
            return next == '/' || next == ':' || next == '@';
        }

        @Override
        public String toString() {
            return "remapIdentity " + prefix + " -> " + signedPrefix;
        }
    }

    /** {@code exactRepository}: the signed identity is in a fixed repository, whatever the image. */
    record ExactRepository(String repository) implements SignedIdentity {
        public ExactRepository {
            Objects.requireNonNull(repository, "repository");
        }

        @Override
        public boolean accepts(ImageReference image, ImageReference signed) {
            return signed.repository().equals(repository);
        }

        @Override
        public String toString() {
            return "exactRepository " + repository;
        }
    }
}

/** The grammar of remapIdentity prefixes (kept out of the public interface). */
final class RemapPatterns {

    /** Host[:port] as in a fully expanded reference. */
    static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?");

    /** One repository path component. */
    static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");

    private RemapPatterns() {}
}
