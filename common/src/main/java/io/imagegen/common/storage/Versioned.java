package io.imagegen.common.storage;

/** A value with the opaque version (ETag) it had when read; writes conditional on that version detect races. */
public record Versioned<T>(T value, String version) {
}
