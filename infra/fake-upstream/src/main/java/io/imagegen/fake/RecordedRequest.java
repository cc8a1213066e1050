package io.imagegen.fake;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One request as the fake upstream received it.
 *
 * @param method     HTTP method, upper case
 * @param path       path without the query string
 * @param query      raw query string, or null
 * @param headers    headers with lower-cased names; repeated headers joined with ", "
 * @param body       the raw body bytes (empty when there was none)
 * @param json       the body parsed as a JSON object, or null when it is not one
 * @param parts      multipart/form-data parts in order; empty for other bodies
 * @param receivedAt when the body had been read completely
 */
public record RecordedRequest(
        String method,
        String path,
        String query,
        Map<String, String> headers,
        byte[] body,
        JsonObject json,
        List<Part> parts,
        Instant receivedAt) {

    /**
     * One multipart part; enough to assert what a client uploaded without keeping the file around twice.
     *
     * @param name        form field name, e.g. {@code image[]}
     * @param fileName    file name for file parts, null for plain fields
     * @param contentType declared content type, or null
     * @param size        payload size in bytes
     * @param value       text value of a plain field, null for file parts
     */
    public record Part(String name, String fileName, String contentType, long size, String value) {
    }

    /** Defensive copies, so the recorded view cannot change under a test. */
    public RecordedRequest {
        headers = Map.copyOf(headers);
        parts = List.copyOf(parts);
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** A header by case-insensitive name, or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** The file parts only (plain form fields left out). */
    public List<Part> files() {
        return parts.stream().filter(p -> p.fileName() != null).toList();
    }
}
