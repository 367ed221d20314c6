/**
 * cosign 2.x key-based signatures for trustgate: trusted public keys ({@link io.trustgate.cosign.CosignKey}, PEM
 * ECDSA P-256/P-384, RSA, Ed25519), the {@code sha256-<hex>.sig} manifest that carries them
 * ({@link io.trustgate.cosign.SignatureManifest}) and the check of one signature over its simple-signing payload
 * ({@link io.trustgate.cosign.CosignVerifier}; identity rules shared with {@link io.trustgate.pgp.SignedIdentity}).
 *
 * <p>Plain Java 17 with the JDK's signature providers and Jackson; no network; limits live in
 * {@link io.trustgate.cosign.CosignLimits}. Every check returns a result that says why a signature does not count.
 */
package io.trustgate.cosign;
