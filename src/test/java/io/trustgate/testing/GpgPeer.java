package io.trustgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * GnuPG in a private, short temp home ({@code /tmp/tg-gpg-XXXX}: gpg-agent's socket path has a length limit),
 * with {@code skopeo copy --sign-by} to write containers/image "simple signing" signatures into a lookaside
 * directory, and {@code skopeo standalone-verify} as the oracle. {@link #close()} kills the agent and deletes the home.
 *
 * <pre>{@code
 * try (GpgPeer gpg = GpgPeer.create()) {
 *     String fpr = gpg.generateKey("Release Signer", "release@example.test");
 *     String armoured = gpg.exportPublic(fpr);
 *     GpgPeer.Signed signed = gpg.signImage(fpr, image.reference(), lookasideDir);        // image from ImageFactory
 *     GpgPeer.Verification v = gpg.standaloneVerify(image.writeManifest(tmp.resolve("m.json")),
 *             image.reference(), fpr, signed.signatures().get(0));
 *     assert v.ok();
 * }
 * }</pre>
 */
public final class GpgPeer implements AutoCloseable {

    private final Path home;
    private final Path config;

    private GpgPeer(Path home, Path config) {
        this.home = home;
        this.config = config;
    }

    /** A fresh GNUPGHOME under /tmp. */
    public static GpgPeer create() {
        if (!onPath("gpg")) {
            throw new IllegalStateException("gpg is missing: the GPG tests sign with real gpg. Install gnupg"
                    + " (make deps, or apt-get install gnupg) and run them again.");
        }
        try {
            Path home = Files.createTempDirectory(
                    Path.of("/tmp"),
                    "tg-gpg-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path config = Files.createDirectories(home.resolve("skopeo"));
            Files.writeString(
                    config.resolve("insecure-policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n");
            return new GpgPeer(home, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator, -1)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** The GNUPGHOME. */
    public Path home() {
        return home;
    }

    /** A passphrase-less key ({@code default} algorithm of this gpg, RSA 3072 for 2.2) that never expires; returns its fingerprint. */
    public String generateKey(String name, String email) {
        return generateKey(name, email, "default");
    }

    /**
     * A passphrase-less key with the given algorithm ({@code default}, {@code rsa2048}, {@code rsa4096},
     * {@code ed25519}, ...); returns its fingerprint (40 upper-case hex digits).
     */
    public String generateKey(String name, String email, String algorithm) {
        gpg(
                "--batch",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--quick-gen-key",
                name + " <" + email + ">",
                algorithm,
                "default",
                "never");
        String colons = gpg("--batch", "--with-colons", "--list-keys", "<" + email + ">")
                .stdout();
        return colons.lines()
                .filter(l -> l.startsWith("fpr:"))
                .map(l -> l.split(":", -1)[9])
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no fingerprint for " + email + " in:\n" + colons));
    }

    /** The armoured public key. */
    public String exportPublic(String fingerprint) {
        return gpg("--batch", "--armor", "--export", fingerprint).stdout();
    }

    /** Imports armoured or binary keys (e.g. another peer's public key). */
    public void importKey(String armoured) {
        Proc.cmd("gpg", "--batch", "--import")
                .env("GNUPGHOME", home.toString())
                .stdin(armoured)
                .run();
    }

    /** The digest a sign run signed, and the signature files now in its lookaside directory. */
    public record Signed(String digest, Path directory, List<Path> signatures) {
        /** The newest signature ({@code signature-N} with the highest N). */
        public Path latest() {
            return signatures.get(signatures.size() - 1);
        }
    }

    /** Signs {@code reference} ({@code host/path:tag}) in place in an open plain-HTTP registry. */
    public Signed signImage(String fingerprint, String reference, Path lookasideDir) {
        return signImage(fingerprint, reference, lookasideDir, null, null);
    }

    /**
     * Signs {@code reference} in place: {@code skopeo copy --sign-by} from and to the same plain-HTTP registry,
     * with a registries.d whose {@code default-docker} {@code lookaside} and {@code lookaside-staging} are
     * {@code lookasideDir}. Signing again keeps the existing signatures and adds {@code signature-N+1}.
     */
    public Signed signImage(String fingerprint, String reference, Path lookasideDir, String user, String password) {
        try {
            Path lookaside = lookasideDir.toAbsolutePath();
            Files.createDirectories(lookaside);
            Path registriesD = Files.createDirectories(config.resolve("registries.d"));
            Files.writeString(
                    registriesD.resolve("default.yaml"),
                    "default-docker:\n  lookaside: file://" + lookaside + "\n  lookaside-staging: file://" + lookaside
                            + "\n");
            List<String> copy = new ArrayList<>(List.of(
                    "skopeo",
                    "--policy",
                    config.resolve("insecure-policy.json").toString(),
                    "--registries.d",
                    registriesD.toString(),
                    "copy",
                    "--quiet",
                    "--src-tls-verify=false",
                    "--dest-tls-verify=false",
                    "--sign-by",
                    fingerprint));
            List<String> inspect = new ArrayList<>(List.of(
                    "skopeo",
                    "--policy",
                    config.resolve("insecure-policy.json").toString(),
                    "inspect",
                    "--raw",
                    "--tls-verify=false"));
            if (user != null) {
                copy.addAll(List.of("--src-creds", user + ":" + password, "--dest-creds", user + ":" + password));
                inspect.addAll(List.of("--creds", user + ":" + password));
            }
            copy.add("docker://" + reference);
            copy.add("docker://" + reference);
            inspect.add("docker://" + reference);
            Proc.cmd(copy).env(env()).run();
            byte[] manifest = Proc.cmd(inspect).env(env()).run().stdout().getBytes(StandardCharsets.UTF_8);
            String hex = ImageFactory.sha256Hex(manifest);
            String path = reference.substring(reference.indexOf('/') + 1).replaceFirst("[:@].*$", "");
            Path dir = lookaside.resolve(path + "@sha256=" + hex);
            List<Path> signatures;
            try (Stream<Path> files = Files.list(dir)) {
                signatures = files.filter(p -> p.getFileName().toString().startsWith("signature-"))
                        .sorted(Comparator.comparingInt(
                                p -> Integer.parseInt(p.getFileName().toString().substring(10))))
                        .toList();
            }
            return new Signed("sha256:" + hex, dir, signatures);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Signs {@code image} without touching the registry: {@code skopeo standalone-sign} over its manifest, the
     * signature written as {@code signature-1} where a lookaside store at {@code lookasideDir} serves it
     * ({@code <path>@sha256=<hex>/signature-1}). One process per image, for benchmarks that sign hundreds.
     */
    public Path standaloneSign(String fingerprint, ImageFactory.PushedImage image, Path lookasideDir) {
        try {
            Path dir = Files.createDirectories(
                    lookasideDir.toAbsolutePath().resolve(image.path() + "@sha256=" + image.hex()));
            Path manifest = image.writeManifest(dir.resolve("manifest.json.tmp"));
            Path signature = dir.resolve("signature-1");
            Proc.cmd(
                            "skopeo",
                            "standalone-sign",
                            "--output",
                            signature.toString(),
                            manifest.toString(),
                            image.reference(),
                            fingerprint)
                    .env(env())
                    .run();
            Files.delete(manifest);
            return signature;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@code skopeo standalone-verify} said. */
    public record Verification(boolean ok, String output) {}

    /**
     * Runs {@code skopeo standalone-verify manifest reference fingerprint signature}: the oracle trustgate's own
     * verifier must agree with.
     */
    public Verification standaloneVerify(Path manifestFile, String reference, String fingerprint, Path signatureFile) {
        Proc.Result r = Proc.cmd(
                        "skopeo",
                        "standalone-verify",
                        manifestFile.toString(),
                        reference,
                        fingerprint,
                        signatureFile.toString())
                .env(env())
                .runAllowingFailure();
        return new Verification(r.ok(), (r.stdout() + r.stderr()).strip());
    }

    /** Runs gpg with this home; fails with its stderr. */
    public Proc.Result gpg(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("gpg");
        cmd.addAll(List.of(args));
        return Proc.cmd(cmd).env(env()).run();
    }

    private Map<String, String> env() {
        return Map.of("GNUPGHOME", home.toString());
    }

    /** Kills this home's gpg-agent and deletes the home. */
    @Override
    public void close() {
        Proc.cmd("gpgconf", "--kill", "all").env(env()).runAllowingFailure();
        try (Stream<Path> walk = Files.walk(home)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left in /tmp is harmless
        }
    }
}
