package io.imagegen.worker.providers;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The spooling side of a {@link StreamingImageBody}: a {@link SpoolFile} for each value the scanner finds, and
 * everything else kept, up to a limit, with each value replaced by its file's name. Runs on the body's context.
 */
final class Spooler implements ImageFieldScanner.Sink {
  private final Vertx vertx;
  private final Path spoolDir;
  private final String fieldName;
  private final int restLimit;
  private final Handler<Throwable> onFailure;
  private final Runnable onWritable;
  private final List<SpoolFile> spools = new ArrayList<>();
  private final Buffer rest = Buffer.buffer(512);
  private boolean restTruncated;
  /** The value being spooled, if any. */
  private SpoolFile current;

  /** Reports a spool file's failure to {@code onFailure}, and room in its write queue to {@code onWritable}. */
  Spooler(Vertx vertx, Path spoolDir, String fieldName, int restLimit, Handler<Throwable> onFailure,
      Runnable onWritable) {
    this.vertx = vertx;
    this.spoolDir = spoolDir;
    this.fieldName = fieldName;
    this.restLimit = restLimit;
    this.onFailure = onFailure;
    this.onWritable = onWritable;
  }

  @Override
  public void keep(byte[] data, int from, int to) {
    if (to <= from || restTruncated) {
      return;
    }
    int room = restLimit - rest.length();
    if (to - from > room) {
      rest.appendBytes(data, from, room);
      restTruncated = true;
      return;
    }
    rest.appendBytes(data, from, to - from);
  }

  /** Creates the value's spool file and keeps its name in the value's place. */
  @Override
  public void valueStarted() {
    SpoolFile spool = new SpoolFile(vertx, spoolDir, spools.size(), StreamingImageBody.HEAD_BYTES, onFailure,
        onWritable);
    spools.add(spool);
    current = spool;
    byte[] placeholder = spool.path.getFileName().toString().getBytes(StandardCharsets.US_ASCII);
    keep(placeholder, 0, placeholder.length);
  }

  @Override
  public void valueBytes(Buffer decoded) {
    if (current != null) {
      current.write(decoded);
    }
  }

  @Override
  public void valueEnded() {
    if (current != null) {
      current.finish();
    }
    current = null;
  }

  /** Whether a value is being spooled. */
  boolean inValue() {
    return current != null;
  }

  /** Names the value being spooled (or the next one) in messages: the field and the value's index. */
  String describeCurrent() {
    return fieldName + " #" + (current == null ? spools.size() : current.index);
  }

  /** Whether every spool file exists and keeps up. */
  boolean writable() {
    return spools.stream().allMatch(SpoolFile::writable);
  }

  /** Completes once every spool file is written and closed. */
  Future<?> closed() {
    return Future.all(spools.stream().map(spool -> spool.closed.future()).toList());
  }

  /** What was kept and spooled. */
  StreamingImageBody.Result result() {
    return new StreamingImageBody.Result(rest, restTruncated, spools.stream().map(SpoolFile::image).toList());
  }

  /** Stops spooling: every spool file fails with {@code cause} and is deleted. */
  void abandon(Throwable cause) {
    current = null;
    for (SpoolFile spool : spools) {
      spool.closed.tryFail(cause);
      spool.delete();
    }
  }

  /** Deletes the spool files other than {@code kept}; completes once they are gone, and never fails. */
  Future<Void> deleteExcept(Collection<Path> kept) {
    List<Future<Void>> deleted = new ArrayList<>();
    for (SpoolFile spool : spools) {
      if (!kept.contains(spool.path)) {
        deleted.add(spool.delete());
      }
    }
    return Future.join(deleted).mapEmpty();
  }
}
