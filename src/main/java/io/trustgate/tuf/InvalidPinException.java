package io.trustgate.tuf;

/** A pinned key or signer key that is neither a PEM public key, a PEM certificate nor a hex key id. */
public final class InvalidPinException extends TrustDataException {
    private final String pin;

    public InvalidPinException(String pin, String detail) {
        super(null, "invalid key \"" + abbreviate(pin) + "\": " + detail);
        this.pin = pin;
    }

    public String pin() {
        return pin;
    }

    private static String abbreviate(String s) {
        int shown = 40;
        return s == null ? "null" : s.length() <= shown ? s : s.substring(0, shown) + "...";
    }
}
