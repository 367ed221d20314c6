package io.trustgate.cli;

/** A usage, configuration or I/O problem that stops a command before any verdict (exit code 2). */
final class CliException extends RuntimeException {

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
