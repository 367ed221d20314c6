package io.trustgate.tuf;

/** A metadata file's bytes do not hash to what its parent role commits to (mix-and-match, tampering). */
public final class HashMismatchException extends TrustDataException {
    private final String algorithm;
    private final String expectedHex;
    private final String actualHex;

    public HashMismatchException(String role, String algorithm, String expectedHex, String actualHex) {
        super(role, role + " " + algorithm + " is " + actualHex + " but its parent metadata expects " + expectedHex);
        this.algorithm = algorithm;
        this.expectedHex = expectedHex;
        this.actualHex = actualHex;
    }

    public String algorithm() {
        return algorithm;
    }

    public String expectedHex() {
        return expectedHex;
    }

    public String actualHex() {
        return actualHex;
    }
}
