/**
 * The Notary v1 (Docker Content Trust) client: the update that drives a
 * {@link io.trustgate.tuf.TrustedMetadataSet} from a {@link io.trustgate.notary.TrustDataFetcher}, and the
 * mapping from verified trust data to a policy's signers.
 *
 * <p>Depends only on the JDK, Bouncy Castle, Jackson and {@code io.trustgate.tuf}.
 */
package io.trustgate.notary;
