package io.imagegen.common.images;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One generated image as its owner sees it in {@code GET /v1/images}; stored privately next to the owner's others. */
public record ImageRecord(
    @JsonProperty("id") String id,
    @JsonProperty("task_id") String taskId,
    @JsonProperty("owner") String owner,
    @JsonProperty("model") String model,
    @JsonProperty("created_at") long createdAt,
    @JsonProperty("expires_at") long expiresAt,
    @JsonProperty("url") String url,
    @JsonProperty("storage_key") String storageKey,
    @JsonProperty("content_type") String contentType,
    @JsonProperty("bytes") long bytes) {
}
