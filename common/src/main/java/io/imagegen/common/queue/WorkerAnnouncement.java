package io.imagegen.common.queue;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What one worker can serve, announced on the compacted workers topic keyed by {@code workerId} and renewed before
 * {@code expiresAtMillis}; a tombstone (no value) withdraws it (docs/architecture.md#model-availability).
 *
 * @param models the catalog ids of the models whose provider this worker has and whose credentials are configured
 */
public record WorkerAnnouncement(
    @JsonProperty("worker_id") String workerId,
    @JsonProperty("models") List<String> models,
    @JsonProperty("expires_at") long expiresAtMillis) {

  public WorkerAnnouncement {
    models = models == null ? List.of() : List.copyOf(models);
  }
}
