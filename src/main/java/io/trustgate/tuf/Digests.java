package io.trustgate.tuf;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/** The hash algorithms TUF metadata names ({@code sha256}, {@code sha512}) and hex helpers. */
public final class Digests {
    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";

    private Digests() {}

    /** The JDK algorithm for a TUF hash name, if trustgate supports it. */
    public static Optional<String> jdkAlgorithm(String tufName) {
        return switch (tufName) {
            case SHA256 -> Optional.of("SHA-256");
            case SHA512 -> Optional.of("SHA-512");
            default -> Optional.empty();
        };
    }

    public static byte[] digest(String jdkAlgorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(jdkAlgorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + jdkAlgorithm, e);
        }
    }

    public static String sha256Hex(byte[] data) {
        return hex(digest("SHA-256", data));
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
