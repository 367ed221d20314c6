package io.trustgate.pgp;

import io.trustgate.pgp.PackageResult.FileCheck;
import io.trustgate.pgp.PgpKeys.KeyInRing;
import io.trustgate.pgp.SignatureCheck.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * Verifies a saved image tar with image.tar.&lt;KEYID&gt;.sig detached signatures (streaming; the tar may be large).
 *
 * <p>Every {@code <tar name>.<KEYID>.sig} file beside the tar is examined (binary or armoured, one
 * signature each). A file whose key is not trusted, or whose signature is invalid, is reported and
 * otherwise ignored; the package is accepted when at least {@code minSignatures} distinct trusted
 * primary keys have a valid signature. The tar is read once, whatever the number of signatures.
 * Key and time rules are those of simple signing (revocation, key and signature expiry at the clock's now).
 */
public final class SignaturePackage {

    private static final String SIGNATURE_SUFFIX = ".sig";

    private final Clock clock;
    private final SignerPolicy signers = new SignerPolicy();

    public SignaturePackage(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Verifies the signatures beside {@code imageTar}.
     *
     * @throws IOException when the tar or its folder cannot be read (not a verdict: the caller reports an I/O error)
     * @throws IllegalArgumentException when {@code minSignatures} is less than 1
     */
    public PackageResult verify(Path imageTar, PgpKeys trusted, int minSignatures) throws IOException {
        Objects.requireNonNull(imageTar, "imageTar");
        Objects.requireNonNull(trusted, "trusted");
        if (minSignatures < 1) {
            throw new IllegalArgumentException("minSignatures must be at least 1, was " + minSignatures);
        }
        if (!Files.isRegularFile(imageTar)) {
            throw new NoSuchFileException(imageTar.toString(), null, "not a regular file");
        }
        List<Path> files = signatureFiles(imageTar);
        if (files.size() > PgpLimits.MAX_PACKAGE_SIGNATURES) {
            return new PackageResult.Rejected(
                    files.size() + " signature files beside " + imageTar.getFileName() + ", more than the limit of "
                            + PgpLimits.MAX_PACKAGE_SIGNATURES,
                    Set.of(),
                    minSignatures,
                    List.of());
        }
        Instant now = clock.instant();

        // Pass 1: parse each file and find its trusted key; only usable signatures take part in hashing.
        FileCheck[] outcomes = new FileCheck[files.size()];
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            Parsed parsed = parse(file, trusted);
            if (parsed instanceof Unusable unusable) {
                outcomes[i] = unusable.rejected();
            } else if (parsed instanceof Usable usable) {
                pending.add(new Pending(i, file, usable));
            }
        }

        // Pass 2: stream the tar once through every pending signature.
        if (!pending.isEmpty()) {
            try (InputStream in = Files.newInputStream(imageTar)) {
                byte[] buffer = new byte[PgpLimits.STREAM_BUFFER_BYTES];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    for (Pending p : pending) {
                        p.usable().signature().update(buffer, 0, n);
                    }
                }
            }
        }

        // Pass 3: the cryptographic verdict, then key and time rules.
        for (Pending p : pending) {
            outcomes[p.index()] = judge(p, now);
        }

        List<FileCheck> checks = List.of(outcomes);
        Set<String> valid = new LinkedHashSet<>();
        for (FileCheck check : checks) {
            if (check instanceof FileCheck.Valid v) {
                valid.add(v.primaryFingerprint());
            }
        }
        if (valid.size() >= minSignatures) {
            return new PackageResult.Accepted(valid, minSignatures, checks);
        }
        long rejected =
                checks.stream().filter(c -> c instanceof FileCheck.Rejected).count();
        String detail = files.isEmpty()
                ? "no signature files " + imageTar.getFileName() + ".<KEYID>" + SIGNATURE_SUFFIX + " found; "
                        + minSignatures + " required"
                : valid.size() + " of " + minSignatures + " required trusted signers have a valid signature on "
                        + imageTar.getFileName() + " (valid: " + (valid.isEmpty() ? "none" : String.join(", ", valid))
                        + "); " + files.size() + " signature files examined, " + rejected + " rejected";
        return new PackageResult.Rejected(detail, valid, minSignatures, checks);
    }

    private FileCheck judge(Pending p, Instant now) {
        PGPSignature signature = p.usable().signature();
        KeyInRing signer = p.usable().signer();
        boolean good;
        try {
            good = signature.verify();
        } catch (PGPException | RuntimeException e) {
            good = false;
        }
        if (!good) {
            return new FileCheck.Rejected(
                    p.file(),
                    Reason.BAD_SIGNATURE,
                    "signature by key "
                            + PgpKeys.keyId(signature.getKeyID()) + " (key " + PgpKeys.fingerprint(signer.primary())
                            + ") does not verify: the tar or the signature was altered");
        }
        Optional<SignatureCheck.Rejected> rules = signers.checkKeyAndTimes(signer, signature, now);
        if (rules.isPresent()) {
            return new FileCheck.Rejected(
                    p.file(), rules.get().reason(), rules.get().detail());
        }
        return new FileCheck.Valid(p.file(), PgpKeys.fingerprint(signer.primary()));
    }

    /** Reads one file: a signature by a trusted key, initialised for hashing, or why it cannot count. */
    private Parsed parse(Path file, PgpKeys trusted) throws IOException {
        long size = Files.size(file);
        if (size > PgpLimits.MAX_DETACHED_SIGNATURE_BYTES) {
            return unusable(
                    file,
                    Reason.MALFORMED_SIGNATURE,
                    "signature file has " + size + " bytes, more than the limit of "
                            + PgpLimits.MAX_DETACHED_SIGNATURE_BYTES);
        }
        byte[] bytes = Files.readAllBytes(file);
        PGPSignature signature;
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
            BcPGPObjectFactory factory = new BcPGPObjectFactory(in);
            PacketReader packets = new PacketReader();
            Object object = packets.nextNonMarker(factory);
            if (!(object instanceof PGPSignatureList list)) {
                return unusable(file, Reason.MALFORMED_SIGNATURE, "not an OpenPGP detached signature");
            }
            if (list.size() != 1) {
                return unusable(
                        file,
                        Reason.MALFORMED_SIGNATURE,
                        "holds " + list.size() + " signatures; expected exactly one per file");
            }
            if (packets.next(factory) != null) {
                return unusable(file, Reason.MALFORMED_SIGNATURE, "unexpected data after the signature");
            }
            signature = list.get(0);
        } catch (PacketReader.LimitException e) {
            return unusable(file, Reason.MALFORMED_SIGNATURE, e.getMessage());
        } catch (IOException | RuntimeException e) {
            return unusable(file, Reason.MALFORMED_SIGNATURE, "not an OpenPGP detached signature: " + e.getMessage());
        }
        Optional<KeyInRing> signer = trusted.findSigner(signature);
        if (signer.isEmpty()) {
            SignatureCheck.Rejected untrusted = SignerPolicy.untrusted(signature.getKeyID(), trusted);
            return unusable(file, untrusted.reason(), untrusted.detail());
        }
        Optional<SignatureCheck.Rejected> form = signers.checkForm(signature);
        if (form.isPresent()) {
            return unusable(file, form.get().reason(), form.get().detail());
        }
        try {
            signature.init(signers.verifiers(), signer.get().key());
        } catch (PGPException e) {
            return unusable(
                    file,
                    Reason.UNSUPPORTED_ALGORITHM,
                    "signature by key " + PgpKeys.keyId(signature.getKeyID()) + " cannot be checked: "
                            + e.getMessage());
        }
        return new Usable(signature, signer.get());
    }

    /** {@code image.tar.<KEYID>.sig} files beside the tar, sorted by name; KEYID must not be empty. */
    private static List<Path> signatureFiles(Path imageTar) throws IOException {
        Path dir = imageTar.toAbsolutePath().getParent();
        String prefix = imageTar.getFileName().toString() + ".";
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> {
                        String name = p.getFileName().toString();
                        return name.startsWith(prefix)
                                && name.endsWith(SIGNATURE_SUFFIX)
                                && name.length() > prefix.length() + SIGNATURE_SUFFIX.length()
                                && Files.isRegularFile(p);
                    })
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }

    private static Parsed unusable(Path file, Reason reason, String detail) {
        return new Unusable(new FileCheck.Rejected(file, reason, detail));
    }

    private sealed interface Parsed {}

    private record Usable(PGPSignature signature, KeyInRing signer) implements Parsed {}

    private record Unusable(FileCheck.Rejected rejected) implements Parsed {}

    private record Pending(int index, Path file, Usable usable) {}
}
