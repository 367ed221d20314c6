package io.trustgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real notation CLI (v1.3.2, built once by {@code scripts/build-notation.sh}): test signing keys with
 * self-signed certificates ({@code notation cert generate-test}), each in its own config directory under a work
 * directory, and signatures pushed as OCI referrers (the referrers tag on registries without the API).
 */
public final class NotationCli {

    private final Path binary;
    private final Path work;

    private NotationCli(Path binary, Path work) {
        this.binary = binary;
        this.work = work;
    }

    /** Builds (once, cached) or finds the binary; config directories go under {@code work}. */
    public static NotationCli create(Path work) {
        Proc.Result r = Proc.cmd("scripts/build-notation.sh")
                .timeout(Duration.ofMinutes(30))
                .run();
        List<String> lines = r.stdout().strip().lines().toList();
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new NotationCli(Path.of(lines.get(lines.size() - 1)), work);
    }

    public Path work() {
        return work;
    }

    /** A notation config directory (XDG_CONFIG_HOME) holding a default test key and certificate named {@code name}. */
    public Path signingKey(String name) {
        Path dir = work.resolve(name);
        notation(dir, "cert", "generate-test", "--default", name).run();
        return dir;
    }

    /** The PEM certificate of a key made by {@link #signingKey}: the trust anchor a signer names. */
    public static String certificate(Path config) {
        String name = config.getFileName().toString();
        try {
            return Files.readString(config.resolve("notation/localkeys/" + name + ".crt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** notation with {@code args}, its config and home in {@code config}. */
    public Proc notation(Path config, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        return Proc.cmd(command)
                .dir(work)
                .env("XDG_CONFIG_HOME", config.toString())
                .env("HOME", config.toString())
                .timeout(Duration.ofMinutes(2));
    }

    /** {@code notation sign} of {@code reference} (by digest) with the key of {@code config}; format jws or cose. */
    public void sign(Path config, String reference, String format, String... extra) {
        List<String> args = new ArrayList<>(List.of("sign", "--insecure-registry", "--signature-format", format));
        args.addAll(List.of(extra));
        args.add(reference);
        notation(config, args.toArray(String[]::new)).run();
    }

    /** {@code notation verify} with {@code config}'s trust store and a policy trusting {@code identity}. */
    public boolean verifies(Path config, String reference, String identity) {
        String name = config.getFileName().toString();
        try {
            Path policy = Files.createTempFile(work, "trustpolicy-", ".json");
            Files.writeString(
                    policy,
                    "{\"version\":\"1.0\",\"trustPolicies\":[{\"name\":\"p\",\"registryScopes\":[\"*\"],"
                            + "\"signatureVerification\":{\"level\":\"strict\"},\"trustStores\":[\"ca:" + name
                            + "\"],\"trustedIdentities\":[\"" + identity + "\"]}]}");
            notation(config, "policy", "import", "--force", policy.toString()).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return notation(config, "verify", "--insecure-registry", reference)
                        .runAllowingFailure()
                        .exitCode()
                == 0;
    }
}
