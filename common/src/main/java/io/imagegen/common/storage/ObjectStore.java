package io.imagegen.common.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Non-blocking access to the one bucket. Every call returns a Vert.x {@link Future} completed on the caller's context.
 * A lost conditional write fails with {@code ConflictException}; anything that may heal by itself with
 * {@code UnavailableException}. Keys come from {@link BucketLayout}, which also decides what is public.
 */
public interface ObjectStore extends AutoCloseable {
  /** The store on the S3-compatible server that {@code settings} describe. */
  static ObjectStore s3(Vertx vertx, S3Settings settings) {
    return new S3ObjectStore(vertx, settings);
  }

  /** Write precondition: none, only if absent, or only if the current ETag matches. */
  sealed interface Condition {
    Condition NONE = new None();
    Condition ABSENT = new Absent();

    static Condition matching(String etag) {
      return new Matching(etag);
    }

    record None() implements Condition {
    }

    record Absent() implements Condition {
    }

    record Matching(String etag) implements Condition {
    }
  }

  /** One page of keys under a prefix, in key order. */
  record Listing(List<String> keys, boolean truncated) {
  }

  /** The bucket's name. */
  String bucket();

  /** Creates the bucket if it does not exist yet. */
  Future<Void> ensureBucket();

  /** Completes when the bucket answers a HeadBucket (readiness, docs/operations.md#health). */
  Future<Void> checkBucket();

  /**
   * Installs (or updates) the bucket lifecycle rule {@code imagegen-retention} that deletes objects older than
   * {@code age}, rounded up to whole days (S3's granularity), keeping every other rule. A backstop behind the
   * retention sweeper; the result is {@code false} when the store does not support lifecycle rules.
   */
  Future<Boolean> expireObjectsAfter(Duration age);

  /** Stores {@code body} under {@code key} if {@code condition} holds; the result is the new ETag. */
  Future<String> put(String key, byte[] body, String contentType, Condition condition);

  /**
   * Stores the contents of {@code file} under {@code key}, streamed from disk so that a large image never sits in the
   * heap; the result is the new ETag. A file that has gone missing fails for good: retrying cannot bring it back.
   */
  Future<String> putFile(String key, Path file, String contentType);

  /** The object's bytes and ETag, or a {@code null} result when it does not exist. */
  Future<Versioned<byte[]>> get(String key);

  /** Up to {@code max} keys under {@code prefix} that sort after {@code startAfter} (may be {@code null}). */
  Future<Listing> list(String prefix, String startAfter, int max);

  /** Deletes the object; deleting a missing object succeeds. */
  Future<Void> delete(String key);

  /** The URL a client downloads public {@code key} from without credentials, valid for at least {@code ttl}. */
  String publicUrl(String key, Duration ttl);

  @Override
  void close();
}
