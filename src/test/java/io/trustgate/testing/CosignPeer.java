package io.trustgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real cosign CLI (2.x built by {@code scripts/build-cosign.sh}, 3.x by {@code scripts/build-cosign3.sh}) run in a
 * private work directory that is also its {@code HOME} and {@code TUF_ROOT}, with a fixed key password: it makes key
 * pairs, signs images in a {@link RegistryPeer} and is the oracle ({@code cosign verify --key}) the cosign tests hold
 * trustgate against.
 *
 * <pre>{@code
 * CosignPeer cosign = CosignPeer.v2(Files.createTempDirectory(PeerProcess.peerDir("cosign-keys"), "keys-"));
 * Path alice = cosign.keyPair("alice");                                  // alice/cosign.key, alice/cosign.pub
 * cosign.sign(alice, image.digestReference(), "--tlog-upload=false");   // image from ImageFactory
 * assert cosign.verify(alice, image.digestReference()).ok();
 * }</pre>
 */
public final class CosignPeer {

    /** The password of every key pair made here ({@code COSIGN_PASSWORD}). */
    public static final String PASSWORD = "test-password";

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

    private final Path binary;
    private final Path work;

    private CosignPeer(Path binary, Path work) {
        this.binary = binary;
        this.work = work;
    }

    /** cosign 2.x (signatures as {@code sha256-<hex>.sig} tags), built once and cached. */
    public static CosignPeer v2(Path work) {
        return new CosignPeer(build("scripts/build-cosign.sh"), work);
    }

    /** cosign 3.x (sigstore bundles as OCI referrers), built once and cached. */
    public static CosignPeer v3(Path work) {
        return new CosignPeer(build("scripts/build-cosign3.sh"), work);
    }

    /** Runs a build script and answers the binary it names on its last line of output. */
    private static Path build(String script) {
        List<String> lines = Proc.cmd(script)
                .timeout(BUILD_TIMEOUT)
                .run()
                .stdout()
                .strip()
                .lines()
                .toList();
        return Path.of(lines.get(lines.size() - 1));
    }

    /** The work directory: cosign's current directory, {@code HOME} and {@code TUF_ROOT} parent. */
    public Path work() {
        return work;
    }

    /** {@code cosign args...} in the work directory, not yet run. */
    public Proc cmd(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        return Proc.cmd(command)
                .dir(work)
                .env("COSIGN_PASSWORD", PASSWORD)
                .env("HOME", work.toString())
                .env("TUF_ROOT", work.resolve("tuf").toString())
                .timeout(RUN_TIMEOUT);
    }

    /** {@code cosign generate-key-pair} in {@code work/name}; answers that directory. */
    public Path keyPair(String name) throws IOException {
        Path dir = Files.createDirectories(work.resolve(name));
        Proc.Result r = cmd("generate-key-pair").dir(dir).run();
        if (!Files.isRegularFile(dir.resolve("cosign.pub"))) {
            throw new IllegalStateException("cosign generate-key-pair made no cosign.pub: " + r.stderr());
        }
        return dir;
    }

    /**
     * {@code cosign sign --key keyDir/cosign.key options... --allow-insecure-registry --yes reference}; fails the
     * test when cosign fails. The options say where the transparency log is not ({@code --tlog-upload=false} for
     * 2.x, {@code --signing-config} for 3.x) and anything else the case needs.
     */
    public void sign(Path keyDir, String reference, String... options) {
        List<String> args = new ArrayList<>(
                List.of("sign", "--key", keyDir.resolve("cosign.key").toString()));
        args.addAll(List.of(options));
        args.addAll(List.of("--allow-insecure-registry", "--yes", reference));
        cmd(args.toArray(String[]::new)).run();
    }

    /** The oracle: {@code cosign verify --key keyDir/cosign.pub} without a transparency log. */
    public Proc.Result verify(Path keyDir, String reference) {
        return cmd(
                        "verify",
                        "--key",
                        keyDir.resolve("cosign.pub").toString(),
                        "--insecure-ignore-tlog=true",
                        "--allow-insecure-registry",
                        reference)
                .runAllowingFailure();
    }
}
