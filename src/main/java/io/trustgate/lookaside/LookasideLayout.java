package io.trustgate.lookaside;

import io.trustgate.image.ImageReference;
import java.util.regex.Pattern;

/**
 * Where containers/image keeps signatures in a lookaside store: {@code <base>/<path>@<algo>=<hex>/signature-<n>}.
 * {@code <path>} is the repository path without the registry host ({@code demo/app} for
 * {@code 127.0.0.1:5000/demo/app}, {@code library/busybox} for {@code busybox}); {@code n} counts from 1.
 */
public final class LookasideLayout {

    private static final Pattern DIGEST = Pattern.compile("(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})");

    private LookasideLayout() {}

    /**
     * The URL of signature {@code n} of {@code digest} under {@code baseUrl} (with or without a trailing slash).
     *
     * @throws IllegalArgumentException for a malformed digest or {@code n < 1}
     */
    public static String signatureUrl(String baseUrl, ImageReference ref, String digest, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("signatures are numbered from 1, got " + n);
        }
        return directoryUrl(baseUrl, ref, digest) + "/signature-" + n;
    }

    /** {@code <base>/<path>@<algo>=<hex>}. */
    public static String directoryUrl(String baseUrl, ImageReference ref, String digest) {
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("not a sha256 or sha512 digest: " + digest);
        }
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return base + "/" + ref.path() + "@" + digest.replace(':', '=');
    }
}
