/**
 * Notation (Notary Project v1) signatures: the JWS envelope over a target-artifact descriptor, certificate chains
 * to the signer's trust anchors, trusted identities, signing time and expiry. Pure: no I/O, time from a Clock.
 */
package io.trustgate.notation;
