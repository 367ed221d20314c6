package io.trustgate.policy;

import io.trustgate.image.ImageReference;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of a policy's {@code images} list, compiled once at load time.
 *
 * <p>The pattern is matched against the normalised repository ({@code registry.example.com/team/app}):
 * {@code *} matches within one path segment, {@code **} crosses segments, and the whole repository must
 * match, so a host pattern never matches as a substring of another host. A pattern whose last segment
 * has a {@code :tag} part also matches the tag. Patterns are normalised like image references:
 * {@code nginx} means {@code docker.io/library/nginx}, and the host part is compared as
 * {@link ImageReference#canonicalDomain} spells it ({@code REGISTRY.example.com:443} is
 * {@code registry.example.com}).
 */
public final class ImagePattern {

    private final String source;
    private final Pattern repository;
    private final Pattern tag;

    private ImagePattern(String source, Pattern repository, Pattern tag) {
        this.source = source;
        this.repository = repository;
        this.tag = tag;
    }

    public static ImagePattern compile(String pattern) throws InvalidPolicyException {
        if (pattern == null || pattern.isBlank()) {
            throw new InvalidPolicyException("empty image pattern");
        }
        String p = pattern.strip();
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
        String[] segments = p.split("/");
        if (!p.startsWith("**") && !looksLikeHost(segments[0])) {
            // Docker Hub short names, as in image references.
            p = segments.length == 1 ? "docker.io/library/" + p : "docker.io/" + p;
        }
        int firstSlash = p.indexOf('/');
        if (firstSlash > 0 && looksLikeHost(p.substring(0, firstSlash))) {
            // The host as image references spell it: lower-case, no :443, Docker Hub's aliases as docker.io.
            p = ImageReference.canonicalDomain(p.substring(0, firstSlash)) + p.substring(firstSlash);
        }
        for (char c : p.toCharArray()) {
            if (Character.isWhitespace(c)) {
                throw new InvalidPolicyException("image pattern \"" + pattern + "\" contains white space");
            }
        }
        return new ImagePattern(pattern, Pattern.compile(globToRegex(p.toLowerCase(Locale.ROOT))),
                tagPart == null ? null : Pattern.compile(globToRegex(tagPart)));
    }

    private static boolean looksLikeHost(String segment) {
        return segment.contains(".") || segment.contains(":") || segment.equals("localhost");
    }

    private static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    re.append(".*");
                    i++;
                } else {
                    re.append("[^/]*");
                }
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }

    public boolean matches(ImageReference image) {
        return matches(image.repository(), image.tag());
    }

    /**
     * @param imageRepository the normalised repository ({@link ImageReference#repository()}), computed once
     *     by callers that match many patterns
     * @param imageTag the tag, or {@code null} for a digest-only reference
     */
    public boolean matches(String imageRepository, String imageTag) {
        if (!repository.matcher(imageRepository).matches()) {
            return false;
        }
        return tag == null || (imageTag != null && tag.matcher(imageTag).matches());
    }

    /** The pattern as the policy author wrote it. */
    @Override
    public String toString() {
        return source;
    }
}
