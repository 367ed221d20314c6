package io.trustgate.verify;

/**
 * One signer found to have signed an image digest.
 *
 * @param source where the signature came from, e.g. {@code gpg} or {@code notary targets/releases}
 * @param detail key fingerprint or key id, for logs and the CLI
 */
public record SignerEvidence(String signer, String source, String detail) {}
