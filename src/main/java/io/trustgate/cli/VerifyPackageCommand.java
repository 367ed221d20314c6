package io.trustgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.pgp.PackageResult;
import io.trustgate.pgp.PackageResult.FileCheck;
import io.trustgate.pgp.PgpKeyException;
import io.trustgate.pgp.PgpKeys;
import io.trustgate.pgp.SignaturePackage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trustgate verify-package}: a saved image tar with {@code IMAGE.tar.<KEYID>.sig} detached signatures
 * beside it is verified when at least {@code --min-signatures} distinct trusted keys signed it.
 */
@Command(
        name = "verify-package",
        sortOptions = false,
        description = {
            "Verifies IMAGE.tar against the IMAGE.tar.<KEYID>.sig detached GPG signatures beside it.",
            "Every signer must be in the keyring; at least N distinct keys must have a valid signature."
        })
final class VerifyPackageCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "IMAGE.tar",
            description = "The saved image (docker save / skopeo copy docker-archive:).")
    Path tar;

    @Option(
            names = "--keyring",
            paramLabel = "FILE",
            required = true,
            description = "Trusted OpenPGP public keys, armoured or binary (gpg --export [--armor]).")
    Path keyring;

    @Option(
            names = "--min-signatures",
            paramLabel = "N",
            required = true,
            description = "How many distinct trusted keys must have signed.")
    int minSignatures;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "text|json",
            defaultValue = "text",
            description = "text or json.")
    Output output;

    @Override
    public Integer call() throws IOException {
        if (minSignatures < 1) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--min-signatures must be at least 1, was " + minSignatures);
        }
        PgpKeys keys;
        try {
            keys = PgpKeys.parse(Files.readAllBytes(keyring));
        } catch (NoSuchFileException e) {
            throw new CliException("cannot read keyring " + keyring + ": no such file");
        } catch (IOException e) {
            throw new CliException("cannot read keyring " + keyring + ": " + Main.oneLine(e), e);
        } catch (PgpKeyException e) {
            throw new CliException("keyring " + keyring + ": " + Main.oneLine(e), e);
        }
        PackageResult result;
        try {
            result = new SignaturePackage(Clock.systemUTC()).verify(tar, keys, minSignatures);
        } catch (NoSuchFileException e) {
            throw new CliException("cannot read " + tar + ": no such file");
        } catch (IOException e) {
            throw new CliException("cannot read " + tar + ": " + Main.oneLine(e), e);
        }
        print(result, spec.commandLine().getOut());
        return result instanceof PackageResult.Accepted ? Main.OK : Main.DENIED;
    }

    private void print(PackageResult result, PrintWriter out) throws IOException {
        boolean verified = result instanceof PackageResult.Accepted;
        if (output == Output.json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("package", tar.toString());
            o.put("verified", verified);
            o.put("required", minSignatures);
            ArrayNode signers = o.putArray("signers");
            result.signers().stream().sorted().forEach(signers::add);
            if (result instanceof PackageResult.Rejected r) {
                o.put("detail", r.detail());
            }
            ArrayNode files = o.putArray("files");
            for (FileCheck f : result.files()) {
                ObjectNode file = files.addObject();
                file.put("file", f.file().getFileName().toString());
                if (f instanceof FileCheck.Valid v) {
                    file.put("valid", true);
                    file.put("key", v.primaryFingerprint());
                } else if (f instanceof FileCheck.Rejected r) {
                    file.put("valid", false);
                    file.put("reason", r.reason().name());
                    file.put("detail", r.detail());
                }
            }
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
            return;
        }
        for (FileCheck f : result.files()) {
            if (f instanceof FileCheck.Valid v) {
                out.println("VALID " + f.file().getFileName() + ": signed by key " + v.primaryFingerprint());
            } else if (f instanceof FileCheck.Rejected r) {
                out.println("REJECTED " + f.file().getFileName() + ": " + r.reason() + ": " + r.detail());
            }
        }
        if (result instanceof PackageResult.Rejected r) {
            out.println("NOT VERIFIED " + tar.getFileName() + ": " + r.detail());
        } else {
            out.println("VERIFIED " + tar.getFileName() + ": "
                    + result.signers().size() + " distinct trusted signers ("
                    + String.join(", ", result.signers().stream().sorted().toList()) + "), " + minSignatures
                    + " required");
        }
    }
}
