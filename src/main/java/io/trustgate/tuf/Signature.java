package io.trustgate.tuf;

/**
 * One entry of a metadata file's {@code signatures} list.
 *
 * @param keyId  the key the signature claims to be made with
 * @param method the declared signature method ({@code ecdsa}, {@code eddsa}, {@code rsapss}...)
 * @param value  the raw signature bytes
 */
// value carries the parsed signature bytes to the verifier: a carrier, not a value to compare.
public record Signature(
        String keyId,
        String method,
        @SuppressWarnings("ArrayRecordComponent") byte[] value) {}
