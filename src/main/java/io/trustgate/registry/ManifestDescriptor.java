package io.trustgate.registry;

/** The manifest a reference resolved to. */
public record ManifestDescriptor(String digest, String mediaType, long size) {}
