package io.trustgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived command with a timeout and captures its output.
 *
 * <pre>{@code
 * Proc.Result r = Proc.cmd("skopeo", "inspect", "docker://" + ref).env("HOME", home).run();
 * String json = r.stdout();            // run() throws ProcException with stderr when the exit code is not 0
 * }</pre>
 */
public final class Proc {

    /** Default timeout of one command. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private final List<String> command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path dir;
    private Duration timeout = DEFAULT_TIMEOUT;
    private byte[] stdin;

    private Proc(List<String> command) {
        this.command = command;
    }

    public static Proc cmd(String... command) {
        return new Proc(new ArrayList<>(List.of(command)));
    }

    public static Proc cmd(List<String> command) {
        return new Proc(new ArrayList<>(command));
    }

    public Proc env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public Proc env(Map<String, String> values) {
        env.putAll(values);
        return this;
    }

    public Proc dir(Path directory) {
        this.dir = directory;
        return this;
    }

    public Proc timeout(Duration value) {
        this.timeout = value;
        return this;
    }

    public Proc stdin(String text) {
        this.stdin = text.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** Runs the command; throws {@link ProcException} (with stdout and stderr) unless it exits 0. */
    public Result run() {
        Result result = runAllowingFailure();
        if (result.exitCode() != 0) {
            throw new ProcException(result);
        }
        return result;
    }

    /** Runs the command and returns whatever it exited with; throws only on timeout or start failure. */
    public Result runAllowingFailure() {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("tg-proc", ".out");
            err = Files.createTempFile("tg-proc", ".err");
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().putAll(env);
            Process process = pb.start();
            if (stdin != null) {
                try (var in = process.getOutputStream()) {
                    in.write(stdin);
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new ProcException(
                        new Result(command, -1, Files.readString(out), Files.readString(err)),
                        "timed out after " + timeout);
            }
            return new Result(command, process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    /** Output of a finished command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** A command that failed or timed out; the message carries its stderr. */
    public static final class ProcException extends RuntimeException {
        private final transient Result result;

        ProcException(Result result) {
            this(result, "exited " + result.exitCode());
        }

        ProcException(Result result, String why) {
            super(String.join(" ", result.command()) + " " + why + "\nstderr: "
                    + result.stderr().strip()
                    + (result.stdout().isBlank()
                            ? ""
                            : "\nstdout: " + result.stdout().strip()));
            this.result = result;
        }

        public Result result() {
            return result;
        }
    }
}
