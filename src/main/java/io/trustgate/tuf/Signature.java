package io.trustgate.tuf;

/**
 * One entry of a metadata file's {@code signatures} list.
 *
 * @param keyId  the key the signature claims to be made with
 * @param method the declared signature method ({@code ecdsa}, {@code eddsa}, {@code rsapss}...)
 * @param value  the raw signature bytes
 */
// value is a carrier of the parsed signature bytes; records of it are never compared or hashed.
public record Signature(
        String keyId,
        String method,
        @SuppressWarnings("ArrayRecordComponent") byte[] value) {}
