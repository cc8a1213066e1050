package io.imagegen.worker.providers;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * One spool file of a {@link StreamingImageBody}: created when its value starts, closed when it ends; decoded bytes
 * are queued on it meanwhile. Created readable by its owner only. Every method runs on the body's Vert.x context.
 */
final class SpoolFile {
  private static final String PREFIX = "imagegen-spool-";
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private final Vertx vertx;
  private final Handler<Throwable> onFailure;
  private final Runnable onWritable;
  final int index;
  final Path path;
  final Promise<Void> closed = Promise.promise();
  final byte[] head;
  final Future<AsyncFile> opened;
  int headLength;
  long size;
  AsyncFile file;
  /** Decoded bytes that arrived before the file was created; the body reads no further until it is. */
  List<Buffer> early = new ArrayList<>();
  boolean finished;
  /** The file's end, once its value has ended. */
  Future<Void> ending;
  Future<Void> deleted;

  /** Starts creating a file in {@code dir}; reports a failure to {@code onFailure}, room to {@code onWritable}. */
  SpoolFile(Vertx vertx, Path dir, int index, int headBytes, Handler<Throwable> onFailure, Runnable onWritable) {
    this.vertx = vertx;
    this.onFailure = onFailure;
    this.onWritable = onWritable;
    this.index = index;
    this.head = new byte[headBytes];
    this.path = newPath(dir);
    this.opened = vertx.fileSystem().open(path.toString(), openOptions());
    opened.onComplete(this::created);
  }

  /** A fresh spool file name in {@code dir}. */
  static Path newPath(Path dir) {
    return dir.resolve(PREFIX + UUID.randomUUID() + ".bin");
  }

  /** How every spool file is created: new, written only, readable by its owner only. */
  static OpenOptions openOptions() {
    OpenOptions options = new OpenOptions().setWrite(true).setCreateNew(true);
    if (POSIX) {
      options.setPerms("rw-------"); // users' images: nobody else on the host needs to read them
    }
    return options;
  }

  private void created(AsyncResult<AsyncFile> outcome) {
    if (outcome.failed()) {
      onFailure.handle(outcome.cause());
      return;
    }
    if (deleted != null) {
      return; // given up while being created: delete() closes and removes it
    }
    file = outcome.result();
    file.exceptionHandler(onFailure);
    List<Buffer> queued = early;
    early = null;
    queued.forEach(this::toFile);
    if (finished) {
      close();
    }
    onWritable.run();
  }

  /** Whether the body may read on: the file exists and keeps up (asked only until its value ends: then it closes). */
  boolean writable() {
    return file != null && (finished || !file.writeQueueFull());
  }

  void write(Buffer bytes) {
    if (bytes == null) {
      return;
    }
    for (int i = 0; i < bytes.length() && headLength < head.length; i++) {
      head[headLength++] = bytes.getByte(i);
    }
    size += bytes.length();
    if (early != null) {
      early.add(bytes);
    } else {
      toFile(bytes);
    }
  }

  private void toFile(Buffer bytes) {
    if (deleted != null) {
      return;
    }
    file.write(bytes).onFailure(onFailure);
    if (file.writeQueueFull()) {
      file.drainHandler(ignored -> onWritable.run());
    }
  }

  void finish() {
    finished = true;
    if (file != null) {
      close();
    }
  }

  private void close() {
    ending = file.end().onComplete(ended -> {
      if (ended.succeeded()) {
        closed.tryComplete();
      } else {
        closed.tryFail(ended.cause());
      }
    });
  }

  StreamingImageBody.Image image() {
    return new StreamingImageBody.Image(path, null, size, Arrays.copyOf(head, headLength));
  }

  /** Closes and removes the file once it exists; completes when it is gone, and never fails. */
  Future<Void> delete() {
    if (deleted == null) {
      deleted = opened.transform(created -> {
        if (created.failed()) {
          return Future.succeededFuture();
        }
        // A file handle may be closed once only: one already ending is waited for instead.
        Future<Void> shut = ending != null ? ending : created.result().close();
        return shut.otherwiseEmpty().compose(ignored -> vertx.fileSystem().delete(path.toString()));
      }).otherwiseEmpty();
    }
    return deleted;
  }
}
