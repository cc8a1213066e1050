package io.imagegen.worker.tasks;

import io.imagegen.common.images.ImageRecord;
import io.imagegen.common.images.ImageRecords;
import io.imagegen.common.images.ImageTypes;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.ObjectStore.Condition;
import io.imagegen.common.tasks.ImageData;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskResult;
import io.imagegen.common.tasks.TaskStatus;
import io.imagegen.worker.providers.Generation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where a generation's images go: public objects under keys fixed per task and attempt, then the owner's records. */
final class ResultStore {
  private static final Logger LOG = LoggerFactory.getLogger(ResultStore.class);

  private final Vertx vertx;
  private final ObjectStore objects;
  private final ImageRecords images;
  private final StorageRetry storage;
  private final Duration retention;
  private final Clock clock;

  ResultStore(Vertx vertx, ObjectStore objects, StorageRetry storage, Duration retention, Clock clock) {
    this.vertx = vertx;
    this.objects = objects;
    this.images = new ImageRecords(objects);
    this.storage = storage;
    this.retention = retention;
    this.clock = clock;
  }

  /** Stores every image of {@code generation} for {@code task}, deletes its spool files, and says what to publish. */
  Future<TaskResult> store(Task task, ModelSpec model, Generation generation) {
    List<Future<ImageData>> stored = new ArrayList<>();
    for (int i = 0; i < generation.images().size(); i++) {
      Generation.Image image = generation.images().get(i);
      String key = BucketLayout.image(task.id(), task.attempts(), i, ImageTypes.extension(image.contentType()));
      stored.add(storage.run("image_write", () -> upload(key, image))
          .map(etag -> new ImageData(objects.publicUrl(key, retention), image.revisedPrompt(), key,
              image.contentType(), image.size())));
    }
    // join, not all: a spool file may only go once no upload (or storage retry) can still be reading it.
    return Future.join(stored).eventually(() -> deleteSpoolFiles(generation)).map(all -> {
      List<ImageData> data = all.list();
      return new TaskResult(clock.instant().getEpochSecond(), data, generation.usage(), cost(model, data.size()));
    });
  }

  /** The owner's image records for a SUCCEEDED task; ids derive from the result, so repeats write the same ones. */
  Future<Void> recordImages(Task task) {
    if (task.status() != TaskStatus.SUCCEEDED || task.result() == null) {
      return Future.succeededFuture();
    }
    List<Future<Void>> saved = new ArrayList<>();
    List<ImageData> data = task.result().data();
    for (int i = 0; i < data.size(); i++) {
      ImageData image = data.get(i);
      ImageRecord record = new ImageRecord(ImageRecords.id(task, i), task.id(),
          task.owner(), task.model(), task.completedAt(), task.expiresAt(), image.url(), image.storageKey(),
          image.contentType(), image.bytes(), false);
      saved.add(storage.run("image_record_write", () -> images.saveIfAbsent(record)));
    }
    return Future.all(saved).mapEmpty();
  }

  /**
   * Deletes the images of {@code ours} that {@code ended} does not publish: a task cancelled (or ended by another
   * worker) while ours were uploading must not leave public images behind. Best effort; retention sweeps the rest.
   */
  Future<Void> discardUnpublished(TaskResult ours, Task ended) {
    Set<String> published = ended.result() == null ? Set.of() : ended.result().data().stream()
        .map(ImageData::storageKey).collect(Collectors.toSet());
    List<Future<Void>> deleted = new ArrayList<>();
    for (ImageData image : ours.data()) {
      if (!published.contains(image.storageKey())) {
        deleted.add(storage.run("image_delete", () -> objects.delete(image.storageKey())));
      }
    }
    return Future.join(deleted).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Best effort: a file left behind wastes disk, never correctness, so failures are only logged. */
  Future<Void> deleteSpoolFiles(Generation generation) {
    List<Future<Void>> deleted = new ArrayList<>();
    for (Path file : generation.spoolFiles()) {
      deleted.add(vertx.fileSystem().delete(file.toString()).onFailure(err ->
          LOG.warn("could not delete spool file {}: {}", file, err.getMessage())));
    }
    return Future.join(deleted).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Spooled images stream from disk (no heap copy); the others are in memory already. */
  private Future<String> upload(String key, Generation.Image image) {
    return image.spooled()
        ? objects.putFile(key, image.file(), image.contentType())
        : objects.put(key, image.bytes(), image.contentType(), Condition.NONE);
  }

  /** Catalog price times images actually delivered; failed tasks never reach here, so they cost nothing. */
  private static TaskResult.Cost cost(ModelSpec model, int images) {
    if (model.pricing() == null) {
      return null;
    }
    return new TaskResult.Cost(model.pricing().perImage().multiply(BigDecimal.valueOf(images)),
        model.pricing().currency());
  }
}
