package io.trustgate.notary;

/**
 * A target (tag) that a valid role signs, with the image digest it names.
 *
 * @param role   the role that signs it, e.g. {@code targets/releases}
 * @param name   the target name (the tag)
 * @param digest {@code sha256:<hex>}
 * @param length the manifest length in bytes
 */
public record SignedTarget(String role, String name, String digest, long length) {}
