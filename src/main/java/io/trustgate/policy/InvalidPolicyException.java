package io.trustgate.policy;

/** A policy that cannot be compiled: a bad pattern, key, selector or threshold; the message says which. */
public final class InvalidPolicyException extends Exception {
    public InvalidPolicyException(String message) {
        super(message);
    }

    public InvalidPolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
