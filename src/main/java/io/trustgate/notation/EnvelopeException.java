package io.trustgate.notation;

import io.trustgate.notation.NotationCheck.Reason;

/** An envelope that cannot be read or is not one trustgate verifies; carries the reason it becomes. */
final class EnvelopeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Reason reason;

    EnvelopeException(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    NotationCheck.Rejected rejection() {
        return new NotationCheck.Rejected(reason, getMessage());
    }
}
