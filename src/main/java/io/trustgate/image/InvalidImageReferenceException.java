package io.trustgate.image;

/** An image reference that does not follow the Docker reference grammar; the message says why. */
public final class InvalidImageReferenceException extends Exception {
    private final String reference;

    public InvalidImageReferenceException(String reference, String reason) {
        super("invalid image reference \"" + reference + "\": " + reason);
        this.reference = reference;
    }

    public String reference() {
        return reference;
    }
}
