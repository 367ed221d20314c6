package io.trustgate.image;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A normalised Docker image reference: {@code nginx} becomes {@code docker.io/library/nginx:latest}.
 *
 * <p>Follows the grammar of distribution/reference: an optional domain (a first component that
 * contains a dot or a colon, or is {@code localhost}), lower-case path components, an optional tag and
 * an optional digest. The tag defaults to {@code latest} only when neither tag nor digest is given.
 *
 * <p>Registry names are compared as the runtime resolves them: host names case-insensitively, the HTTPS
 * default port {@code :443} dropped, and {@code index.docker.io} / {@code registry-1.docker.io} read as
 * {@code docker.io}. {@link #domain()} (and {@link #repository()}, {@link #toString()}, equality) carry
 * that canonical form, which policies match and caches key on; {@link #host()} keeps the port as
 * written, because that is where the registry is contacted and which pull secret the kubelet uses.
 *
 * @param domain canonical registry, e.g. {@code docker.io}, {@code 127.0.0.1:5000}, {@code registry.example.com}
 * @param path repository path inside the registry, e.g. {@code library/nginx}
 * @param tag tag, or {@code null} when the reference names only a digest
 * @param digest {@code algorithm:hex}, or {@code null}
 * @param host the registry host as contacted: lower-case, Docker Hub aliases as {@code docker.io}, the
 *     port as written ({@code registry.example.com:443})
 */
public record ImageReference(String domain, String path, String tag, String digest, String host) {

    public static final String DOCKER_HUB = "docker.io";
    /** The port a registry is reached at over HTTPS when the reference names none. */
    private static final String DEFAULT_PORT_SUFFIX = ":443";

    /** Longest repository name (registry host, slash and path), as the distribution reference grammar allows. */
    public static final int MAX_NAME_LENGTH = 255;

    /** Longest digest: {@code sha512:} and 128 hex digits (sha256 has 64); checked before any pattern reads it. */
    public static final int MAX_DIGEST_LENGTH = "sha512:".length() + 128;

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
        host = contactHost(host == null ? domain : host);
        domain = canonicalDomain(domain);
    }

    /** A reference contacted at its canonical registry. */
    public ImageReference(String domain, String path, String tag, String digest) {
        this(domain, path, tag, digest, null);
    }

    /**
     * The registry as policies and caches see it: lower-case, without the HTTPS default port, Docker Hub's
     * aliases as {@code docker.io}. Idempotent; also applied to the host part of image patterns.
     */
    public static String canonicalDomain(String domain) {
        String d = contactHost(domain);
        if (d.endsWith(DEFAULT_PORT_SUFFIX)) {
            d = d.substring(0, d.length() - DEFAULT_PORT_SUFFIX.length());
        }
        return isDockerHub(d) ? DOCKER_HUB : d;
    }

    /** The registry host as contacted: lower-case (DNS is case-insensitive), port kept, Docker Hub as docker.io. */
    private static String contactHost(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (isDockerHub(d)) {
            return DOCKER_HUB;
        }
        if (!(d.contains(".") || d.contains(":") || d.equals("localhost"))) {
            // A single-label host ("MIRROR/app") is a host only because of its capitals (Docker's rule): lower-cased
            // it would read as a Docker Hub namespace, so it keeps them and the reference still means the same.
            return domain;
        }
        return d;
    }

    private static boolean isDockerHub(String lowerCaseDomain) {
        String d = lowerCaseDomain.endsWith(DEFAULT_PORT_SUFFIX)
                ? lowerCaseDomain.substring(0, lowerCaseDomain.length() - DEFAULT_PORT_SUFFIX.length())
                : lowerCaseDomain;
        return d.equals(DOCKER_HUB) || d.equals("index.docker.io") || d.equals("registry-1.docker.io");
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
            checkDigest(input, digest);
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
        if (slash >= 0
                && (first.contains(".")
                        || first.contains(":")
                        || first.equals("localhost")
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
        String host = domain;
        domain = canonicalDomain(domain);
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
        if (host.length() + 1 + path.length() > MAX_NAME_LENGTH) {
            throw new InvalidImageReferenceException(input, "repository name longer than " + MAX_NAME_LENGTH);
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(domain, path, tag, digest, host);
    }

    /**
     * A digest is bounded by its algorithm before any pattern reads it: {@code sha256:} and 64 lower-case hex
     * digits, or {@code sha512:} and 128; anything longer than {@link #MAX_DIGEST_LENGTH} is refused by its
     * length alone, and other algorithms are refused by name.
     */
    private static void checkDigest(String input, String digest) throws InvalidImageReferenceException {
        if (digest.length() > MAX_DIGEST_LENGTH) {
            throw new InvalidImageReferenceException(
                    input,
                    "digest of " + digest.length() + " characters is longer than " + MAX_DIGEST_LENGTH
                            + " (sha256: 64 hex digits, sha512: 128)");
        }
        if (!DIGEST.matcher(digest).matches()) {
            throw new InvalidImageReferenceException(input, "malformed digest \"" + digest + "\"");
        }
        if (digest.startsWith("sha256:")) {
            if (!SHA256.matcher(digest).matches()) {
                throw new InvalidImageReferenceException(input, "a sha256 digest has 64 lower-case hex digits");
            }
        } else if (digest.startsWith("sha512:")) {
            if (!SHA512.matcher(digest).matches()) {
                throw new InvalidImageReferenceException(input, "a sha512 digest has 128 lower-case hex digits");
            }
        } else {
            throw new InvalidImageReferenceException(
                    input,
                    "unsupported digest algorithm \"" + digest.substring(0, digest.indexOf(':'))
                            + "\" (sha256 and sha512 are supported)");
        }
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
        return new ImageReference(domain, path, tag, newDigest, host);
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
