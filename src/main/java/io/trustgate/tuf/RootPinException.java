package io.trustgate.tuf;

import java.util.List;

/** The root metadata is not signed, at the root threshold, by keys the caller pinned for the GUN. */
public final class RootPinException extends TrustDataException {
    private final String gun;
    private final List<String> pins;
    private final List<String> rootKeyIds;

    public RootPinException(String gun, List<String> pins, List<String> rootKeyIds, String detail) {
        super(
                "root",
                "root of " + gun + " is not signed by the pinned key(s) " + pins + " (root keys " + rootKeyIds + "): "
                        + detail);
        this.gun = gun;
        this.pins = List.copyOf(pins);
        this.rootKeyIds = List.copyOf(rootKeyIds);
    }

    public String gun() {
        return gun;
    }

    public List<String> pins() {
        return pins;
    }

    public List<String> rootKeyIds() {
        return rootKeyIds;
    }
}
