package io.imagegen.api.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.json.Json;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.ObjectStore.Condition;
import io.imagegen.common.storage.Versioned;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code Idempotency-Key}: the first submit with a key claims it for its task id (a conditional create, so two racing
 * retries cannot both win); a retry with the same body gets the same task, a different body is a 409. Claims live as
 * long as results do.
 */
final class Idempotency {
  private static final int MAX_KEY_LENGTH = 255;

  /** Who holds a key: the task id and whether this request just claimed it. */
  record Claim(String taskId, boolean fresh) {
  }

  private record Stored(@JsonProperty("body_sha256") String bodyHash, @JsonProperty("task_id") String taskId,
      @JsonProperty("expires_at") long expiresAt) {
  }

  private final ObjectStore objects;
  private final Clock clock;
  private final Duration retention;

  Idempotency(ObjectStore objects, Clock clock, Duration retention) {
    this.objects = objects;
    this.clock = clock;
    this.retention = retention;
  }

  /** Claims {@code key} for {@code taskId}, or reports who already holds it. */
  Future<Claim> claim(String owner, String key, JsonObject body, String taskId) {
    if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
      return Future.failedFuture(new InvalidRequestException(ErrorCode.INVALID_IDEMPOTENCY_KEY,
          "Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " characters.", null));
    }
    String hash = sha256(canonical(body));
    Stored mine = new Stored(hash, taskId, clock.instant().getEpochSecond() + retention.toSeconds());
    String path = record(owner, key);
    return objects.put(path, Json.toBytes(mine), "application/json", Condition.ABSENT)
        .map(etag -> new Claim(taskId, true))
        .recover(err -> err instanceof ConflictException
            ? objects.get(path).compose(found -> existing(found, path, mine))
            : Future.failedFuture(err));
  }

  /** The first request with this key has not been answered yet: a retry a little later gets its answer. */
  static ConflictException inProgress() {
    return new ConflictException(ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
        "A request with this Idempotency-Key is being processed; retry shortly.");
  }

  /** Gives the key up again when its request was not accepted after all. */
  void release(String owner, String key) {
    objects.delete(record(owner, key));
  }

  private Future<Claim> existing(Versioned<byte[]> found, String path, Stored mine) {
    if (found == null) {
      return Future.failedFuture(inProgress());
    }
    Stored held = Json.fromBytes(found.value(), Stored.class);
    if (held.expiresAt() <= clock.instant().getEpochSecond()) {
      // An expired claim is reclaimed, conditionally, so that racing retries still agree on one winner.
      return objects.put(path, Json.toBytes(mine), "application/json", Condition.matching(found.version()))
          .map(etag -> new Claim(mine.taskId(), true));
    }
    if (!held.bodyHash().equals(mine.bodyHash())) {
      return Future.failedFuture(new ConflictException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
          "This Idempotency-Key was already used with a different request body."));
    }
    return Future.succeededFuture(new Claim(held.taskId(), false));
  }

  /** The storage key of the claim of {@code key} by {@code owner}. */
  static String record(String owner, String key) {
    return BucketLayout.idempotency(owner, sha256(key));
  }

  /** The body with object keys sorted, so that field order does not make two identical requests differ. */
  static String canonical(Object value) {
    if (value instanceof JsonObject object) {
      return canonical(object.getMap());
    }
    if (value instanceof JsonArray array) {
      return canonical(array.getList());
    }
    if (value instanceof Map<?, ?> map) {
      StringBuilder out = new StringBuilder("{");
      new TreeMap<>(map).forEach((k, v) -> out.append(io.vertx.core.json.Json.encode(String.valueOf(k))).append(':')
          .append(canonical(v)).append(','));
      return out.append('}').toString();
    }
    if (value instanceof List<?> list) {
      StringBuilder out = new StringBuilder("[");
      list.forEach(item -> out.append(canonical(item)).append(','));
      return out.append(']').toString();
    }
    return io.vertx.core.json.Json.encode(value);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(
          StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}
