package io.trustgate.lookaside;

import io.trustgate.image.ImageReference;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Fetches the "simple signing" signatures of an image from a containers/image lookaside store
 * ({@code <base>/<path>@<algo>=<hex>/signature-<n>}, see {@link LookasideLayout}).
 *
 * <p>Signatures {@code 1..N} are fetched in order until the first that does not exist, up to a configured
 * maximum; an image with none yields an empty list. The bytes are returned unverified.
 */
public interface LookasideStore {

    /**
     * Reads the signatures stored for one image digest.
     *
     * @param baseUrl {@code https://...}, {@code http://...} or {@code file:///...}
     * @param ref the image; only its repository path is used
     * @param digest the manifest digest the signatures are about, {@code sha256:<hex>}
     * @return the signature files' contents, signature-1 first; fails with a {@link LookasideException}
     */
    CompletableFuture<List<byte[]>> signatures(String baseUrl, ImageReference ref, String digest);

    /**
     * Drops anything remembered about these signatures, so the next {@link #signatures} reads the store
     * again (called before an image that was denied is checked again). Stores that remember nothing ignore it.
     */
    default void forget(String baseUrl, ImageReference ref, String digest) {}
}
