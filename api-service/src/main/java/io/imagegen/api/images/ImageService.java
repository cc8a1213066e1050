package io.imagegen.api.images;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.images.ImageRecord;
import io.imagegen.common.images.ImageRecords;
import io.imagegen.common.storage.ObjectStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;

/** The caller's generated images (seed 001): list, download, delete. Nobody sees another key's images. */
public final class ImageService {
  /** Largest page; each record costs one object read. */
  public static final int MAX_LIMIT = 100;

  /** An image's bytes and media type. */
  public record Content(String contentType, Buffer bytes) {
  }

  private final ImageRecords records;
  private final ObjectStore objects;
  private final Clock clock;

  public ImageService(ObjectStore objects, Clock clock) {
    this.records = new ImageRecords(objects);
    this.objects = objects;
    this.clock = clock;
  }

  /** A page of the owner's unexpired images, oldest first, starting after image {@code after}. */
  public Future<JsonObject> list(String owner, String after, int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      return Future.failedFuture(InvalidRequestException.field("limit", "limit must be between 1 and " + MAX_LIMIT));
    }
    if (after != null && !ImageRecords.isWellFormed(after)) {
      return Future.failedFuture(InvalidRequestException.field("after", "after must be an image id from a listing"));
    }
    return records.list(owner, after, limit).map(page -> {
      JsonArray data = new JsonArray();
      long now = clock.instant().getEpochSecond();
      page.records().stream().filter(r -> r.expiresAt() > now).forEach(r -> data.add(view(r)));
      JsonObject body = new JsonObject().put("object", "list").put("data", data).put("has_more", page.hasMore());
      if (!page.records().isEmpty()) {
        body.put("first_id", page.records().get(0).id())
            .put("last_id", page.records().get(page.records().size() - 1).id());
      }
      return body;
    });
  }

  /** The image's bytes. */
  public Future<Content> content(String owner, String id) {
    return owned(owner, id).compose(record -> objects.get(record.storageKey()).compose(found -> found == null
        ? Future.failedFuture(notFound(id))
        : Future.succeededFuture(new Content(record.contentType(), Buffer.buffer(found.value())))));
  }

  /** Deletes the image and its record; its URL stops working. */
  public Future<JsonObject> delete(String owner, String id) {
    return owned(owner, id).compose(records::delete)
        .map(ignored -> new JsonObject().put("id", id).put("object", "image").put("deleted", true));
  }

  private Future<ImageRecord> owned(String owner, String id) {
    if (!ImageRecords.isWellFormed(id)) {
      return Future.failedFuture(notFound(id));
    }
    return records.find(owner, id).compose(record -> record == null
        || record.expiresAt() <= clock.instant().getEpochSecond()
        ? Future.failedFuture(notFound(id))
        : Future.succeededFuture(record));
  }

  private static JsonObject view(ImageRecord record) {
    return new JsonObject()
        .put("id", record.id())
        .put("object", "image")
        .put("task_id", record.taskId())
        .put("model", record.model())
        .put("created_at", record.createdAt())
        .put("expires_at", record.expiresAt())
        .put("url", record.url())
        .put("content_type", record.contentType())
        .put("bytes", record.bytes());
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException(ErrorCode.IMAGE_NOT_FOUND, "No image found with id '" + id + "'.", "image_id");
  }
}
