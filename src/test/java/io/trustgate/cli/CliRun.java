package io.trustgate.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * One in-process run of the CLI's {@link Main}: the exit code and what it printed.
 *
 * @param code the exit code
 * @param out what went to stdout
 * @param err what went to stderr
 */
record CliRun(int code, String out, String err) {

    /** Runs with an empty environment, so no TRUSTGATE_* variable of the machine leaks in. */
    static CliRun of(String... args) {
        return of(Map.of(), args);
    }

    static CliRun of(Map<String, String> env, String... args) {
        return withStdin("", env, args);
    }

    /** Runs with {@code stdin} as what {@code -f -} reads. */
    static CliRun withStdin(String stdin, Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(
                new java.io.ByteArrayInputStream(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                new PrintWriter(out),
                new PrintWriter(err),
                env,
                args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs with an empty environment at {@code clock}'s time. */
    static CliRun at(java.time.Clock clock, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(
                new java.io.ByteArrayInputStream(new byte[0]),
                new PrintWriter(out),
                new PrintWriter(err),
                Map.of(),
                clock,
                args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** For assertion descriptions. */
    String describe() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
