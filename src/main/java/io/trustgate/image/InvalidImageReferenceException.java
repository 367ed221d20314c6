package io.trustgate.image;

/** An image reference that does not follow the Docker reference grammar; the message says why. */
public final class InvalidImageReferenceException extends Exception {
    /**
     * Longest reference quoted whole in the message (a valid one has at most 255 + 1 + 128 + 1 + 135 characters);
     * a longer one is quoted by its beginning and length, so a hostile review cannot fill messages and logs.
     */
    static final int MAX_QUOTED = 600;

    private final String reference;

    public InvalidImageReferenceException(String reference, String reason) {
        super("invalid image reference " + quoted(reference) + ": " + reason);
        this.reference = reference;
    }

    private static String quoted(String reference) {
        return reference == null || reference.length() <= MAX_QUOTED
                ? "\"" + reference + "\""
                : "\"" + reference.substring(0, MAX_QUOTED / 2) + "...\" (" + reference.length() + " characters)";
    }

    public String reference() {
        return reference;
    }
}
