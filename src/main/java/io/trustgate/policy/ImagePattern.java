package io.trustgate.policy;

import io.trustgate.image.ImageReference;
import java.util.Locale;

/**
 * One entry of a policy's {@code images} list, compiled once at load time.
 *
 * <p>The pattern is matched against the normalised repository ({@code registry.example.com/team/app}):
 * {@code *} matches within one path segment, {@code **} crosses segments, and the whole repository must
 * match, so a host pattern never matches as a substring of another host. A pattern whose last segment
 * has a {@code :tag} part also matches the tag. Patterns are normalised like image references:
 * {@code nginx} means {@code docker.io/library/nginx}, and the host part is compared as
 * {@link ImageReference#canonicalDomain} spells it ({@code REGISTRY.example.com:443} is
 * {@code registry.example.com}). Matching costs time linear in the name ({@link GlobMatcher}), whatever the
 * pattern.
 */
public final class ImagePattern {

    /** Longest pattern accepted (a repository name has at most 255 characters, a tag 128). */
    public static final int MAX_PATTERN_LENGTH = 512;

    private final String source;
    private final GlobMatcher repository;
    private final GlobMatcher tag;

    private ImagePattern(String source, GlobMatcher repository, GlobMatcher tag) {
        this.source = source;
        this.repository = repository;
        this.tag = tag;
    }

    public static ImagePattern compile(String pattern) throws InvalidPolicyException {
        if (pattern == null || pattern.isBlank()) {
            throw new InvalidPolicyException("empty image pattern");
        }
        String p = pattern.strip();
        if (p.length() > MAX_PATTERN_LENGTH) {
            throw new InvalidPolicyException("image pattern \"" + p.substring(0, 40) + "...\" is longer than "
                    + MAX_PATTERN_LENGTH + " characters");
        }
        if (p.contains("@")) {
            throw new InvalidPolicyException("image pattern \"" + pattern + "\" must not contain a digest");
        }
        String tagPart = null;
        int lastSlash = p.lastIndexOf('/');
        int colon = p.lastIndexOf(':');
        if (colon > lastSlash) { // a port colon always comes before the first slash
            tagPart = p.substring(colon + 1);
            p = p.substring(0, colon);
            if (tagPart.isEmpty()) {
                throw new InvalidPolicyException("image pattern \"" + pattern + "\" has an empty tag");
            }
        }
        if (p.isEmpty() || p.startsWith("/") || p.endsWith("/") || p.contains("//")) {
            throw new InvalidPolicyException("image pattern \"" + pattern + "\" has an empty path segment");
        }
        int slash = p.indexOf('/');
        if (!p.startsWith("**") && !looksLikeHost(slash < 0 ? p : p.substring(0, slash))) {
            // Docker Hub short names, as in image references.
            p = slash < 0 ? "docker.io/library/" + p : "docker.io/" + p;
        }
        int firstSlash = p.indexOf('/');
        if (firstSlash > 0 && looksLikeHost(p.substring(0, firstSlash))) {
            // The host as image references spell it: lower-case, no :443, Docker Hub's aliases as docker.io.
            p = ImageReference.canonicalDomain(p.substring(0, firstSlash)) + p.substring(firstSlash);
        }
        for (int i = 0; i < p.length(); i++) {
            if (Character.isWhitespace(p.charAt(i))) {
                throw new InvalidPolicyException("image pattern \"" + pattern + "\" contains white space");
            }
        }
        return new ImagePattern(
                pattern,
                GlobMatcher.compile(p.toLowerCase(Locale.ROOT)),
                tagPart == null ? null : GlobMatcher.compile(tagPart));
    }

    private static boolean looksLikeHost(String segment) {
        return segment.contains(".") || segment.contains(":") || segment.equals("localhost");
    }

    public boolean matches(ImageReference image) {
        return matches(image.repository(), image.tag());
    }

    /**
     * Whether the pattern matches a repository and tag.
     *
     * @param imageRepository the normalised repository ({@link ImageReference#repository()}), computed once
     *     by callers that match many patterns
     * @param imageTag the tag, or {@code null} for a digest-only reference
     */
    public boolean matches(String imageRepository, String imageTag) {
        if (!repository.matches(imageRepository)) {
            return false;
        }
        return tag == null || (imageTag != null && tag.matches(imageTag));
    }

    /** The pattern as the policy author wrote it. */
    @Override
    public String toString() {
        return source;
    }
}
