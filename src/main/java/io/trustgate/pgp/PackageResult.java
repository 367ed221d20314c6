package io.trustgate.pgp;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The verdict on a signature package: accepted or rejected, with what each signature file showed. */
public sealed interface PackageResult {

    /** Every signature file examined, in file-name order, with its own outcome. */
    List<FileCheck> files();

    /** The distinct trusted primary keys (fingerprints) with a valid signature. */
    Set<String> signers();

    /**
     * Enough distinct trusted keys signed the tar.
     *
     * @param signers fingerprints of the primary keys with a valid signature
     * @param required the minimum that was asked for
     */
    record Accepted(Set<String> signers, int required, List<FileCheck> files) implements PackageResult {
        public Accepted {
            signers = Set.copyOf(signers);
            files = List.copyOf(files);
        }
    }

    /** Too few distinct trusted keys signed the tar; {@code detail} gives the counts. */
    record Rejected(String detail, Set<String> signers, int required, List<FileCheck> files) implements PackageResult {
        public Rejected {
            Objects.requireNonNull(detail, "detail");
            signers = Set.copyOf(signers);
            files = List.copyOf(files);
        }
    }

    /** The outcome for one {@code image.tar.<KEYID>.sig} file. */
    sealed interface FileCheck {
        Path file();

        /** The file holds a valid signature over the tar by this trusted primary key (or its signing subkey). */
        record Valid(Path file, String primaryFingerprint) implements FileCheck {}

        /** The file does not count; the reason is the same vocabulary as for simple signing. */
        record Rejected(Path file, SignatureCheck.Reason reason, String detail) implements FileCheck {
            @Override
            public String toString() {
                return file.getFileName() + ": " + reason + ": " + detail;
            }
        }
    }
}
