package io.trustgate.config;

/**
 * A setting's value is not what its row of {@link Setting} expects. The message is one line that names the
 * variable, the value and what was expected, fit to stop start-up with.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    public InvalidSettingException(String message) {
        super(message);
    }
}
