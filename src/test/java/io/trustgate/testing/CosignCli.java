package io.trustgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real cosign CLI (2.x: {@code sha256-<hex>.sig} tags; 3.x: Sigstore bundles as OCI referrers, or the referrers
 * tag on registries without the API), built once by {@code scripts/build-cosign.sh} / {@code build-cosign3.sh}, with
 * its own home and key pairs in a work directory. Signs key-based with no transparency log (no Rekor here).
 */
public final class CosignCli {

    /** The password of every key pair made here. */
    public static final String PASSWORD = "test-password";

    /** A cosign major version and the script that builds it. */
    public enum Version {
        V2("scripts/build-cosign.sh"),
        V3("scripts/build-cosign3.sh");

        private final String script;

        Version(String script) {
            this.script = script;
        }
    }

    private final Version version;
    private final Path binary;
    private final Path work;
    private final Path signingConfig;

    private CosignCli(Version version, Path binary, Path work, Path signingConfig) {
        this.version = version;
        this.binary = binary;
        this.work = work;
        this.signingConfig = signingConfig;
    }

    /** Builds (once, cached) or finds the binary; keys and cosign's home go under {@code work}. */
    public static CosignCli create(Version version, Path work) {
        Proc.Result r = Proc.cmd(version.script).timeout(Duration.ofMinutes(30)).run();
        List<String> lines = r.stdout().strip().lines().toList();
        Path binary = Path.of(lines.get(lines.size() - 1));
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CosignCli cli = new CosignCli(version, binary, work, work.resolve("signing-config.json"));
        if (version == Version.V3) {
            // No Rekor or Fulcio here: a signing config with no services (cosign 3's replacement for
            // --tlog-upload=false).
            cli.cosign("signing-config", "create", "--out", cli.signingConfig.toString())
                    .run();
        }
        return cli;
    }

    public Version version() {
        return version;
    }

    public Path binary() {
        return binary;
    }

    public Path work() {
        return work;
    }

    /** Path of the v3 signing config with no services (only for {@link Version#V3}). */
    public Path signingConfig() {
        return signingConfig;
    }

    /** cosign with {@code args}, its password, home and TUF root in the work directory. */
    public Proc cosign(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        return Proc.cmd(command)
                .dir(work)
                .env("COSIGN_PASSWORD", PASSWORD)
                .env("HOME", work.toString())
                .env("TUF_ROOT", work.resolve("tuf").toString())
                .timeout(Duration.ofMinutes(2));
    }

    /** {@code cosign generate-key-pair} in {@code work/name}: the directory holding cosign.key and cosign.pub. */
    public Path keyPair(String name) {
        try {
            Path dir = Files.createDirectories(work.resolve(name));
            Proc.Result r = cosign("generate-key-pair").dir(dir).run();
            if (!Files.exists(dir.resolve("cosign.pub"))) {
                throw new IllegalStateException("cosign generate-key-pair wrote no key: " + r.stderr());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PEM public key of a key pair made by {@link #keyPair}. */
    public static String publicKey(Path keyDir) {
        try {
            return Files.readString(keyDir.resolve("cosign.pub"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code cosign sign --key} of {@code reference} (best by digest) in an insecure registry, with no transparency
     * log: v2 writes the {@code .sig} tag, v3 a bundle referrer.
     */
    public void sign(Path keyDir, String reference, String... extra) {
        List<String> args = new ArrayList<>(
                List.of("sign", "--key", keyDir.resolve("cosign.key").toString()));
        if (version == Version.V3) {
            args.addAll(List.of("--signing-config", signingConfig.toString()));
        } else {
            args.add("--tlog-upload=false");
        }
        args.addAll(List.of("--allow-insecure-registry", "--yes"));
        args.addAll(List.of(extra));
        args.add(reference);
        cosign(args.toArray(String[]::new)).run();
    }

    /** {@code cosign verify --key} of {@code reference}, the oracle: its result, failure included. */
    public Proc.Result verify(Path keyDir, String reference) {
        return cosign(
                        "verify",
                        "--key",
                        keyDir.resolve("cosign.pub").toString(),
                        "--insecure-ignore-tlog=true",
                        "--allow-insecure-registry",
                        reference)
                .runAllowingFailure();
    }

    /** The {@code .sig} tag cosign 2.x writes for {@code digest} in the image's repository. */
    public static String signatureTag(String digest) {
        return digest.replace(':', '-') + ".sig";
    }
}
