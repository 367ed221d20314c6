package io.trustgate.tuf;

import java.util.List;

/**
 * The keys a policy trusts to sign a repository's root: the anchor of the whole Notary trust chain.
 *
 * @param keys at least one pinned key
 */
public record RootPins(List<KeyPin> keys) {

    public RootPins {
        keys = List.copyOf(keys);
        if (keys.isEmpty()) {
            throw new InvalidPinException("", "no root key pinned");
        }
    }

    /** Pins from PEM public keys, PEM certificates or hex key ids. */
    public static RootPins of(String... pins) {
        return of(List.of(pins));
    }

    /** Pins from PEM public keys, PEM certificates or hex key ids. */
    public static RootPins of(List<String> pins) {
        return new RootPins(pins.stream().map(KeyPin::parse).toList());
    }

    public boolean matches(TufKey key) {
        return keys.stream().anyMatch(p -> p.matches(key));
    }

    public List<String> describe() {
        return keys.stream().map(KeyPin::toString).toList();
    }
}
