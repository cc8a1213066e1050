package io.imagegen.common.images;

import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.json.Json;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.ObjectStore.Condition;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskStatus;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Per-owner image records ({@link BucketLayout#ownerImages}). Ids start with the creation time in milliseconds, so
 * key order is creation order and a listing page is one ranged LIST plus one GET per record.
 */
public final class ImageRecords {
  private static final Pattern ID = Pattern.compile("img_\\d{13}_[0-9a-f]{24}_\\d{1,2}");

  /** A page of records and whether more follow. */
  public record Page(List<ImageRecord> records, boolean hasMore) {
  }

  private final ObjectStore store;

  public ImageRecords(ObjectStore store) {
    this.store = store;
  }

  /** The id of image {@code index} of {@code taskId}, created at {@code createdMillis}. */
  public static String id(long createdMillis, String taskId, int index) {
    return String.format("img_%013d_%s_%d", createdMillis, taskId.substring("image_".length()), index);
  }

  /** The id of image {@code index} of SUCCEEDED {@code task}; it derives from the result, so repeats agree. */
  public static String id(Task task, int index) {
    return id(task.completedAt() * 1000, task.id(), index);
  }

  /** The storage keys of every image record {@code task} has, none unless it SUCCEEDED. */
  public static List<String> keys(Task task) {
    if (task.status() != TaskStatus.SUCCEEDED || task.result() == null) {
      return List.of();
    }
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < task.result().data().size(); i++) {
      keys.add(key(task.owner(), id(task, i)));
    }
    return keys;
  }

  /** Whether {@code id} could be an image id; anything else is rejected before touching storage. */
  public static boolean isWellFormed(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** Stores {@code record} unless a record (or a deletion tombstone) with its id exists; repeats are no-ops. */
  public Future<Void> saveIfAbsent(ImageRecord record) {
    return store.put(key(record.owner(), record.id()), Json.toBytes(record), "application/json",
        Condition.ABSENT).<Void>mapEmpty()
        .recover(err -> err instanceof ConflictException ? Future.succeededFuture() : Future.failedFuture(err));
  }

  /** The owner's live record, or a {@code null} result (also for a deleted image). */
  public Future<ImageRecord> find(String owner, String id) {
    return store.get(key(owner, id)).map(found -> {
      ImageRecord record = found == null ? null : Json.fromBytes(found.value(), ImageRecord.class);
      return record == null || record.deleted() ? null : record;
    });
  }

  /** Up to {@code limit} of the owner's records created after image {@code after} (or from the first). */
  public Future<Page> list(String owner, String after, int limit) {
    String prefix = BucketLayout.ownerImages(owner);
    return store.list(prefix, after == null ? null : key(owner, after), limit).compose(listing -> {
      List<Future<ImageRecord>> reads = new ArrayList<>();
      for (String key : listing.keys()) {
        reads.add(store.get(key).map(found -> found == null ? null
            : Json.fromBytes(found.value(), ImageRecord.class)));
      }
      return Future.all(reads).map(all -> {
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          ImageRecord record = all.resultAt(i);
          if (record != null && !record.deleted()) {
            records.add(record);
          }
        }
        return new Page(records, listing.truncated());
      });
    });
  }

  /** Removes the image bytes and leaves a tombstone in place of the record. */
  public Future<Void> delete(ImageRecord record) {
    return store.delete(record.storageKey()).compose(ignored -> store.put(key(record.owner(), record.id()),
        Json.toBytes(record.asDeleted()), "application/json", Condition.NONE)).mapEmpty();
  }

  private static String key(String owner, String id) {
    return BucketLayout.ownerImage(owner, id);
  }
}
