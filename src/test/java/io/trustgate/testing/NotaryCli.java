package io.trustgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code notary} CLI against a {@link NotaryPeer}, with its own trust directory and the passphrases in
 * the environment (never on a prompt). Each method runs one command and fails with its stderr.
 *
 * <pre>{@code
 * NotaryCli cli = notary.cli(tempDir.resolve("trust"));
 * String gun = registry.host() + "/demo/app";
 * cli.init(gun);
 * cli.addhash(gun, "1.0", image.manifest().length, image.hex());
 * cli.publish(gun);
 * NotaryCli.DelegationKey releases = cli.addDelegationSigner(gun, "targets/releases", keysDir);   // key generate + delegation add + import + publish
 * cli.addhash(gun, "1.0", size, hex, "targets/releases"); cli.publish(gun);
 * }</pre>
 */
public final class NotaryCli {

    public static final String ROOT_PASSPHRASE = "trustgate-root-pass";
    public static final String TARGETS_PASSPHRASE = "trustgate-targets-pass";
    public static final String SNAPSHOT_PASSPHRASE = "trustgate-snapshot-pass";
    public static final String DELEGATION_PASSPHRASE = "trustgate-delegation-pass";

    private final NotaryPeer server;
    private final Path trustDir;

    NotaryCli(NotaryPeer server, Path trustDir) {
        this.server = server;
        this.trustDir = trustDir.toAbsolutePath();
        try {
            Files.createDirectories(this.trustDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path trustDir() {
        return trustDir;
    }

    /** {@code notary init GUN}: creates root, targets and snapshot keys locally (timestamp on the server). */
    public Proc.Result init(String gun) {
        return run("init", gun);
    }

    /** {@code notary addhash GUN TAG SIZE --sha256 HEX [--roles ROLE...]} (staged until {@link #publish}). */
    public Proc.Result addhash(String gun, String tag, long size, String sha256Hex, String... roles) {
        List<String> args = new ArrayList<>(List.of("addhash", gun, tag, String.valueOf(size), "--sha256", sha256Hex));
        for (String role : roles) {
            args.addAll(List.of("--roles", role));
        }
        return run(args);
    }

    /** {@code notary remove GUN TAG [--roles ROLE...]} (staged until {@link #publish}). */
    public Proc.Result remove(String gun, String tag, String... roles) {
        List<String> args = new ArrayList<>(List.of("remove", gun, tag));
        for (String role : roles) {
            args.addAll(List.of("--roles", role));
        }
        return run(args);
    }

    /** {@code notary publish GUN}. */
    public Proc.Result publish(String gun) {
        return run("publish", gun);
    }

    /** {@code notary list GUN [--roles ROLE]}. */
    public Proc.Result list(String gun, String... roles) {
        List<String> args = new ArrayList<>(List.of("list", gun));
        for (String role : roles) {
            args.addAll(List.of("--roles", role));
        }
        return run(args);
    }

    /** A delegation key pair written by {@code key generate -o}: public PEM and the encrypted private PEM. */
    public record DelegationKey(String role, Path publicPem, Path encryptedPrivatePem) {}

    /**
     * {@code notary key generate ecdsa --role ROLE -o DIR/NAME}: writes {@code NAME.pem} and {@code NAME-key.pem}
     * (encrypted with {@link #DELEGATION_PASSPHRASE}).
     */
    public DelegationKey keyGenerate(String role, Path dir, String name) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path prefix = dir.toAbsolutePath().resolve(name);
        run("key", "generate", "ecdsa", "--role", role, "-o", prefix.toString());
        return new DelegationKey(role, Path.of(prefix + ".pem"), Path.of(prefix + "-key.pem"));
    }

    /** {@code notary delegation add GUN ROLE PUBLIC.pem [--all-paths]} (staged until {@link #publish}). */
    public Proc.Result delegationAdd(String gun, String role, Path publicPem, boolean allPaths) {
        List<String> args = new ArrayList<>(List.of("delegation", "add", gun, role, publicPem.toString()));
        if (allPaths) {
            args.add("--all-paths");
        }
        return run(args);
    }

    /**
     * Decrypts a key written by {@code key generate -o} (notary's {@code role:} header line removed, then
     * {@code openssl pkcs8}), because {@code notary key import} refuses the encrypted form.
     */
    public Path decryptKey(Path encryptedPem, Path plainPem) {
        try {
            List<String> kept = Files.readAllLines(encryptedPem).stream()
                    .filter(l -> !l.startsWith("role:") && !l.isBlank())
                    .toList();
            Path stripped = Files.createTempFile(encryptedPem.getParent(), "stripped-", ".pem");
            Files.write(stripped, kept);
            Proc.cmd(
                            "openssl",
                            "pkcs8",
                            "-in",
                            stripped.toString(),
                            "-passin",
                            "pass:" + DELEGATION_PASSPHRASE,
                            "-out",
                            plainPem.toString())
                    .run();
            Files.delete(stripped);
            return plainPem;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code notary key import PLAIN.pem --role ROLE}. */
    public Proc.Result keyImport(Path plainPem, String role) {
        return run("key", "import", plainPem.toString(), "--role", role);
    }

    /** {@code notary key rotate GUN ROLE [--server-managed]}: publishes a new key for the role at once. */
    public Proc.Result keyRotate(String gun, String role, boolean serverManaged) {
        List<String> args = new ArrayList<>(List.of("key", "rotate", gun, role));
        if (serverManaged) {
            args.add("--server-managed");
        }
        return run(args);
    }

    /** {@code notary key list}. */
    public Proc.Result keyList() {
        return run("key", "list");
    }

    /**
     * A delegation signer in one step: key generate, delegation add (all paths), publish, decrypt, key import.
     * Afterwards {@code addhash(..., role)} + {@code publish} sign with it.
     */
    public DelegationKey addDelegationSigner(String gun, String role, Path keysDir) {
        String name = role.replace('/', '-');
        DelegationKey key = keyGenerate(role, keysDir, name);
        delegationAdd(gun, role, key.publicPem(), true);
        publish(gun);
        keyImport(decryptKey(key.encryptedPrivatePem(), keysDir.toAbsolutePath().resolve(name + "-plain.pem")), role);
        return key;
    }

    /** Runs {@code notary -s URL -d TRUSTDIR --tlscacert CA ARGS...}. */
    public Proc.Result run(String... args) {
        return run(List.of(args));
    }

    public Proc.Result run(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(
                "notary",
                "-s",
                server.url(),
                "-d",
                trustDir.toString(),
                "--tlscacert",
                server.caPem().toString()));
        cmd.addAll(args);
        Map<String, String> env = env();
        env.putAll(server.cliAuthEnv());
        return Proc.cmd(cmd).env(env).run();
    }

    /** The passphrase variables the CLI reads. */
    public static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NOTARY_ROOT_PASSPHRASE", ROOT_PASSPHRASE);
        env.put("NOTARY_TARGETS_PASSPHRASE", TARGETS_PASSPHRASE);
        env.put("NOTARY_SNAPSHOT_PASSPHRASE", SNAPSHOT_PASSPHRASE);
        env.put("NOTARY_DELEGATION_PASSPHRASE", DELEGATION_PASSPHRASE);
        return env;
    }
}
