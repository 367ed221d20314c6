package io.trustgate.image;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A normalised Docker image reference: {@code nginx} becomes {@code docker.io/library/nginx:latest}.
 *
 * <p>Follows the grammar of distribution/reference: an optional domain (a first component that
 * contains a dot or a colon, or is {@code localhost}), lower-case path components, an optional tag and
 * an optional digest. The tag defaults to {@code latest} only when neither tag nor digest is given.
 *
 * @param domain registry host with optional port, e.g. {@code docker.io}, {@code 127.0.0.1:5000}
 * @param path repository path inside the registry, e.g. {@code library/nginx}
 * @param tag tag, or {@code null} when the reference names only a digest
 * @param digest {@code algorithm:hex}, or {@code null}
 */
public record ImageReference(String domain, String path, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";
    private static final int MAX_NAME_LENGTH = 255;

    private static final Pattern DOMAIN_COMPONENT =
            Pattern.compile("(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
    private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("sha512:[a-f0-9]{128}");

    public ImageReference {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(path, "path");
    }

    /** Parses and normalises a reference as a container runtime would. */
    public static ImageReference parse(String input) throws InvalidImageReferenceException {
        if (input == null || input.isEmpty()) {
            throw new InvalidImageReferenceException(String.valueOf(input), "empty reference");
        }
        if (!input.equals(input.strip())) {
            throw new InvalidImageReferenceException(input, "leading or trailing white space");
        }
        String rest = input;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw new InvalidImageReferenceException(input, "malformed digest \"" + digest + "\"");
            }
            if (digest.startsWith("sha256:") && !SHA256.matcher(digest).matches()) {
                throw new InvalidImageReferenceException(input, "a sha256 digest has 64 lower-case hex digits");
            }
            if (digest.startsWith("sha512:") && !SHA512.matcher(digest).matches()) {
                throw new InvalidImageReferenceException(input, "a sha512 digest has 128 lower-case hex digits");
            }
            if (!digest.startsWith("sha256:") && !digest.startsWith("sha512:")) {
                throw new InvalidImageReferenceException(input, "unsupported digest algorithm in \"" + digest + "\"");
            }
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new InvalidImageReferenceException(input, "invalid tag \"" + tag + "\"");
            }
        }
        if (rest.isEmpty()) {
            throw new InvalidImageReferenceException(input, "missing repository name");
        }
        String domain;
        String path;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(java.util.Locale.ROOT)))) {
            domain = first;
            path = rest.substring(slash + 1);
            if (!DOMAIN.matcher(domain).matches()) {
                throw new InvalidImageReferenceException(input, "invalid registry host \"" + domain + "\"");
            }
        } else {
            domain = DOCKER_HUB;
            path = rest;
        }
        if (domain.equals("index.docker.io") || domain.equals("registry-1.docker.io")) {
            domain = DOCKER_HUB;
        }
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        for (String component : path.split("/", -1)) {
            if (component.isEmpty()) {
                throw new InvalidImageReferenceException(input, "empty path component");
            }
            if (!PATH_COMPONENT.matcher(component).matches()) {
                String why = component.equals(component.toLowerCase(java.util.Locale.ROOT))
                        ? "invalid path component \"" + component + "\""
                        : "repository name must be lower-case (\"" + component + "\")";
                throw new InvalidImageReferenceException(input, why);
            }
        }
        if (domain.length() + 1 + path.length() > MAX_NAME_LENGTH) {
            throw new InvalidImageReferenceException(input, "repository name longer than " + MAX_NAME_LENGTH);
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(domain, path, tag, digest);
    }

    /** The normalised repository: {@code docker.io/library/nginx}. */
    public String repository() {
        return domain + "/" + path;
    }

    public boolean hasDigest() {
        return digest != null;
    }

    /** The same reference pinned to a digest (the tag is kept for messages and identity checks). */
    public ImageReference withDigest(String newDigest) {
        return new ImageReference(domain, path, tag, newDigest);
    }

    /** {@code repository:tag}, {@code repository@digest} or {@code repository:tag@digest}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(repository());
        if (tag != null) {
            sb.append(':').append(tag);
        }
        if (digest != null) {
            sb.append('@').append(digest);
        }
        return sb.toString();
    }
}
