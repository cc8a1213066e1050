package io.imagegen.worker.providers.openai;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.tasks.Task;
import io.imagegen.worker.providers.ProviderContext;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;

/** An edit's stored inputs: the images, in request order, and the optional mask. */
record EditInputs(List<Buffer> images, Buffer mask) {
  EditInputs {
    images = List.copyOf(images);
  }

  /** Reads the inputs {@code task} names; an edit without images is a broken task, not worth retrying. */
  static Future<EditInputs> read(ProviderContext context, Task task) {
    Future<List<Buffer>> images = context.inputImages(task).compose(found -> found.isEmpty()
        ? Future.failedFuture(UpstreamException.permanent(ErrorCode.INPUT_MISSING, "The edit task names no input images.", null))
        : Future.succeededFuture(found));
    Future<Buffer> mask = mask(context, task);
    return Future.all(images, mask).map(all -> new EditInputs(images.result(), mask.result()));
  }

  private static Future<Buffer> mask(ProviderContext context, Task task) {
    Object key = task.params().get("mask_key");
    if (key == null) {
      return Future.succeededFuture();
    }
    // ProviderContext reads stored inputs only through image_keys; a view of the task naming just the mask reuses
    // that read (and its missing-input error) without widening ProviderContext.
    Task maskOnly = new Task(task.id(), task.owner(), task.status(), task.createdAt(), task.startedAt(),
        task.completedAt(), task.expiresAt(), task.model(), task.prompt(), task.size(), task.quality(), task.n(),
        task.mode(), Map.of("image_keys", List.of(String.valueOf(key))), task.attempts(), task.result(),
        task.error(), task.callbackUrl(), task.upstreamTaskId());
    return context.inputImages(maskOnly).map(found -> found.get(0));
  }
}
