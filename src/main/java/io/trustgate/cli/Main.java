package io.trustgate.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code trustgate}: the command line for developers and CI pipelines. {@code check} gives the verdict the
 * cluster would give, {@code inspect} shows an image's signatures in every format (and Notary trust data),
 * {@code verify-package} checks an image tar's detached GPG signatures. Exit codes: 0 admitted or verified, 1 denied or not verified,
 * 2 usage, configuration or I/O error.
 */
@Command(
        name = "trustgate",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Checks container images against trustgate's TrustPolicies before they reach a cluster.",
        subcommands = {
            CheckCommand.class,
            InspectCommand.class,
            VerifyPackageCommand.class,
            ReportCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all admitted / verified", "1:denied / not verified", "2:usage, configuration or I/O error"})
public final class Main implements Runnable {

    /** All admitted, or verified. */
    public static final int OK = 0;
    /** Something was denied, or not verified. */
    public static final int DENIED = 1;
    /** Usage, configuration or I/O error: no verdict was reached. */
    public static final int ERROR = 2;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    private final Map<String, String> env;
    private final java.io.InputStream stdin;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final java.time.Clock clock;

    Main(java.io.InputStream stdin, Map<String, String> env, java.time.Clock clock) {
        this.stdin = stdin;
        this.env = Map.copyOf(env);
        this.clock = clock;
    }

    /** The reference time of every command (the system clock; pinned in tests). */
    java.time.Clock clock() {
        return clock;
    }

    /** What {@code -f -} reads. */
    java.io.InputStream stdin() {
        return stdin;
    }

    /** The environment the commands read their defaults from ({@code TRUSTGATE_*}). */
    Map<String, String> env() {
        return env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name a command: check, inspect, verify-package or report");
    }

    public static void main(String[] args) {
        quietLogging();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(out, err, System.getenv(), args));
    }

    /**
     * The jar carries SLF4J's API (the Fabric8 model logs through it) without a binding, which would print a
     * warning on every run: it gets the no-operation provider, quietly. Netty and Vert.x, which look for SLF4J
     * first, log through java.util.logging instead (warnings on stderr), as a command line wants.
     */
    private static void quietLogging() {
        System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
        io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(
                io.netty.util.internal.logging.JdkLoggerFactory.INSTANCE);
    }

    /**
     * Runs one command line and returns its exit code; what it prints goes to {@code out} and {@code err}.
     *
     * @param env the environment to read {@code TRUSTGATE_*} defaults from
     */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        return run(System.in, out, err, env, args);
    }

    /** As {@link #run(PrintWriter, PrintWriter, Map, String...)}, with {@code -f -} reading {@code stdin}. */
    public static int run(
            java.io.InputStream stdin, PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        return run(stdin, out, err, env, java.time.Clock.systemUTC(), args);
    }

    /** As {@link #run(java.io.InputStream, PrintWriter, PrintWriter, Map, String...)}, at {@code clock}'s time. */
    static int run(
            java.io.InputStream stdin,
            PrintWriter out,
            PrintWriter err,
            Map<String, String> env,
            java.time.Clock clock,
            String... args) {
        Main main = new Main(stdin, env, clock);
        CommandLine cli = new CommandLine(main);
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean debug = main.debug || isDebug(commandLine);
            commandLine.getErr().println("trustgate: " + oneLine(e));
            if (debug) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return ERROR;
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("trustgate: " + e.getMessage());
            c.getErr()
                    .println(
                            "Try 'trustgate " + (c.getCommandName().equals("trustgate") ? "" : c.getCommandName() + " ")
                                    + "--help' for more information.");
            c.getErr().flush();
            return ERROR;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static boolean isDebug(CommandLine commandLine) {
        for (CommandLine c = commandLine; c != null; c = c.getParent()) {
            if (c.getCommand() instanceof Main m && m.debug) {
                return true;
            }
            CommandLine.Model.OptionSpec o = c.getCommandSpec().findOption("--debug");
            if (o != null && Boolean.TRUE.equals(o.getValue())) {
                return true;
            }
        }
        return false;
    }

    /** The message of an error, on one line, without the exception's class name where it has a message. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                        || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage() != null && !t.getMessage().isBlank()
                ? t.getMessage()
                : t.getClass().getSimpleName();
        return m.replace('\n', ' ').replace('\r', ' ').strip();
    }

    /** The version of this build, from the jar's manifest where there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"trustgate " + (v != null ? v : "(development build)")};
        }
    }
}
