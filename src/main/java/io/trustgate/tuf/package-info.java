/**
 * TUF as Notary v1 speaks it: canonical JSON, keys, signatures, metadata records and the
 * {@link io.trustgate.tuf.TrustedMetadataSet}, which verifies metadata and does no I/O.
 *
 * <p>Depends only on the JDK, Bouncy Castle and Jackson. See {@code docs/notary-internals.md}.
 */
package io.trustgate.tuf;
