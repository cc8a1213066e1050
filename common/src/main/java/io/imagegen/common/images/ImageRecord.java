package io.imagegen.common.images;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One generated image as its owner sees it in {@code GET /v1/images}; stored privately next to the owner's others.
 * A deleted image keeps a tombstone record until it expires.
 */
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
    @JsonProperty("bytes") long bytes,
    @JsonProperty("deleted") boolean deleted) {

  /** The tombstone left by a delete, so that a replayed job cannot bring the record back. */
  public ImageRecord asDeleted() {
    return new ImageRecord(id, taskId, owner, model, createdAt, expiresAt, null, storageKey, contentType, bytes, true);
  }
}
