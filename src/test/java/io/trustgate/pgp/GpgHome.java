package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away GnuPG home for tests: makes keys and signatures with the real {@code gpg}, then removes
 * itself and stops the gpg-agent it caused to start.
 */
final class GpgHome implements AutoCloseable {

    static final Path GPG = Path.of("/usr/bin/gpg");
    private static final Path GPGCONF = Path.of("/usr/bin/gpgconf");

    private final Path home;

    GpgHome() throws IOException {
        // Short path under /tmp: gpg-agent's socket path has a length limit.
        home = Files.createTempDirectory(Path.of("/tmp"), "tg-gpg");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    /**
     * Fails (never skips) when gpg is missing: a test that is silently skipped proves nothing, and these decide
     * whether trustgate reads what real gpg writes.
     */
    static void require() {
        if (!Files.isExecutable(GPG)) {
            throw new IllegalStateException(GPG + " is missing: the OpenPGP tests sign with real gpg. Install gnupg"
                    + " (make deps, or apt-get install gnupg) and run them again.");
        }
    }

    Path dir() {
        return home;
    }

    /** Generates a key ({@code algo} e.g. {@code ed25519}, {@code expire} e.g. {@code never} or {@code 1d}); returns its fingerprint. */
    String generateKey(String userId, String algo, String expire) throws IOException {
        return generateKey(userId, algo, "sign", expire);
    }

    /** As above with the primary key's usage ({@code sign}, {@code cert}, ...). */
    String generateKey(String userId, String algo, String usage, String expire) throws IOException {
        run(List.of("--quick-gen-key", userId, algo, usage, expire));
        return fingerprints(userId).get(0);
    }

    /** Adds a signing subkey ({@code gpg --quick-add-key FPR ed25519 sign never}); returns its fingerprint. */
    String addSigningSubkey(String primaryFingerprint) throws IOException {
        run(List.of("--quick-add-key", primaryFingerprint, "ed25519", "sign", "never"));
        List<String> all = fingerprints(primaryFingerprint);
        return all.get(all.size() - 1);
    }

    /** Fingerprints of the key: the primary first, then its subkeys. */
    private List<String> fingerprints(String key) throws IOException {
        String colons = run(List.of("--with-colons", "--fingerprint", "--fingerprint", "--list-keys", key));
        List<String> fingerprints = new ArrayList<>();
        for (String line : colons.split("\n", -1)) {
            if (line.startsWith("fpr:")) {
                fingerprints.add(line.split(":", -1)[9]);
            }
        }
        if (fingerprints.isEmpty()) {
            throw new IllegalStateException("no fingerprint for " + key + " in " + colons);
        }
        return fingerprints;
    }

    /** Revokes a primary key with the revocation certificate gpg wrote when the key was made. */
    void revoke(String fingerprint) throws IOException {
        Path rev = home.resolve("openpgp-revocs.d").resolve(fingerprint + ".rev");
        String text = Files.readString(rev)
                .replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----");
        Path cleaned = home.resolve(fingerprint + "-revocation.asc");
        Files.writeString(cleaned, text);
        run(List.of("--import", cleaned.toString()));
    }

    byte[] exportPublic(String... fingerprints) throws IOException {
        Path out = home.resolve("export-" + System.nanoTime() + ".asc");
        List<String> args = new ArrayList<>(List.of("--armor", "--output", out.toString(), "--export"));
        args.addAll(List.of(fingerprints));
        run(args);
        return Files.readAllBytes(out);
    }

    byte[] exportSecret(String fingerprint) throws IOException {
        Path out = home.resolve("secret-" + System.nanoTime() + ".asc");
        run(List.of("--armor", "--output", out.toString(), "--export-secret-keys", fingerprint));
        return Files.readAllBytes(out);
    }

    /** {@code gpg --sign} over the payload, as skopeo writes simple signatures; extra options before it. */
    byte[] sign(String fingerprint, byte[] payload, String... options) throws IOException {
        Path in = home.resolve("payload-" + System.nanoTime());
        Path out = home.resolve("signature-" + System.nanoTime());
        Files.write(in, payload);
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of("--local-user", fingerprint, "--output", out.toString(), "--sign", in.toString()));
        run(args);
        return Files.readAllBytes(out);
    }

    /** {@code gpg --detach-sign} over a file into {@code signature}. */
    void detachSign(String fingerprint, Path file, Path signature, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of(
                "--local-user", fingerprint, "--output", signature.toString(), "--detach-sign", file.toString()));
        run(args);
    }

    String run(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                GPG.toString(),
                "--homedir",
                home.toString(),
                "--batch",
                "--yes",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                ""));
        command.addAll(args);
        return exec(command);
    }

    private static String exec(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS))
                    .as("%s finished", command)
                    .isTrue();
            assertThat(process.exitValue())
                    .as("exit status of %s; output:%n%s", command, output)
                    .isZero();
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
            throw new IOException("interrupted while running " + command, e);
        }
    }

    @Override
    public void close() throws IOException {
        if (Files.isExecutable(GPGCONF)) {
            Process kill = new ProcessBuilder(GPGCONF.toString(), "--homedir", home.toString(), "--kill", "all")
                    .redirectErrorStream(true)
                    .start();
            try {
                kill.getInputStream().readAllBytes();
                kill.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> paths = Files.walk(home)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
