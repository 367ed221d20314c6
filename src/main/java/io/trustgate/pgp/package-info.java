/**
 * OpenPGP verification for trustgate: trusted keys ({@link io.trustgate.pgp.PgpKeys}), containers/image
 * "simple signing" signatures ({@link io.trustgate.pgp.SimpleSigning} with a
 * {@link io.trustgate.pgp.SignedIdentity} rule) and signature packages
 * ({@link io.trustgate.pgp.SignaturePackage}: {@code image.tar} with {@code image.tar.<KEYID>.sig} files).
 *
 * <p>Plain Java 17, Bouncy Castle's lightweight API (no JCA provider registration) and Jackson; time
 * comes from an injected {@link java.time.Clock}; limits live in {@link io.trustgate.pgp.PgpLimits}.
 * Every check returns a result that says why a signature does not count.
 */
package io.trustgate.pgp;
