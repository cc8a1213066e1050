package io.imagegen.common.storage;

import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.errors.ErrorCode;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ObjectStore} in memory for fast unit tests, honouring what the services rely on in S3: conditional writes
 * ({@code If-None-Match: *}, {@code If-Match}), fresh ETags per write, key-ordered listings, and the file being read
 * at upload time. It counts calls per operation so tests can assert what a piece of work costs.
 */
public final class InMemoryObjectStore implements ObjectStore {
  /** A stored object. */
  public record Stored(byte[] body, String contentType, String etag, boolean publicObject) {
  }

  private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();

  @Override
  public String bucket() {
    return "memory";
  }

  @Override
  public Future<Void> ensureBucket() {
    count("ensure_bucket");
    return Future.succeededFuture();
  }

  /** Says the store has no lifecycle rules, as S3Proxy does: the sweeper alone must expire objects. */
  @Override
  public Future<Boolean> expireObjectsAfter(Duration age) {
    return Future.succeededFuture(false);
  }

  @Override
  public Future<Void> checkBucket() {
    count("check_bucket");
    return Future.succeededFuture();
  }

  @Override
  public Future<String> put(String key, byte[] body, String contentType, Condition condition) {
    count("put");
    String etag = UUID.randomUUID().toString();
    Stored next = new Stored(body.clone(), contentType, etag, BucketLayout.isPublic(key));
    boolean[] won = {true};
    objects.compute(key, (k, current) -> {
      boolean holds = condition instanceof Condition.Absent ? current == null
          : !(condition instanceof Condition.Matching matching)
              || current != null && current.etag().equals(matching.etag());
      won[0] = holds;
      return holds ? next : current;
    });
    return won[0] ? Future.succeededFuture(etag)
        : Future.failedFuture(new ConflictException(ErrorCode.VERSION_CONFLICT, "object changed concurrently: " + key));
  }

  @Override
  public Future<String> putFile(String key, Path file, String contentType) {
    byte[] body;
    try {
      body = Files.readAllBytes(file);
    } catch (IOException e) {
      count("put");
      return Future.failedFuture(new IllegalStateException("upload source " + file + " disappeared", e));
    }
    return put(key, body, contentType, Condition.NONE);
  }

  @Override
  public Future<Versioned<byte[]>> get(String key) {
    count("get");
    Stored found = objects.get(key);
    return Future.succeededFuture(found == null ? null : new Versioned<>(found.body().clone(), found.etag()));
  }

  @Override
  public Future<Listing> list(String prefix, String startAfter, int max) {
    count("list");
    var tail = startAfter == null ? objects.tailMap(prefix, true) : objects.tailMap(startAfter, false);
    List<String> keys = tail.keySet().stream().filter(k -> k.startsWith(prefix)).limit(max + 1L).toList();
    return Future.succeededFuture(keys.size() > max
        ? new Listing(keys.subList(0, max), true)
        : new Listing(keys, false));
  }

  @Override
  public Future<Void> delete(String key) {
    count("delete");
    objects.remove(key);
    return Future.succeededFuture();
  }

  @Override
  public String publicUrl(String key, Duration ttl) {
    return "memory://" + bucket() + "/" + key;
  }

  @Override
  public void close() {
  }

  /** The object under {@code key}, or {@code null}. */
  public Stored object(String key) {
    return objects.get(key);
  }

  /** Every key, in order. */
  public List<String> keys() {
    return List.copyOf(objects.keySet());
  }

  /** Calls so far to {@code operation}: {@code put} (files included), {@code get}, {@code list} or {@code delete}. */
  public long calls(String operation) {
    AtomicLong count = calls.get(operation);
    return count == null ? 0 : count.get();
  }

  private void count(String operation) {
    calls.computeIfAbsent(operation, o -> new AtomicLong()).incrementAndGet();
  }
}
