package io.imagegen.worker.providers;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * A JSON response body consumed as a stream, with the base64 image values of one {@link Field} decoded on the fly into
 * a spool file each. A 4 MB image arrives as ~5.3 MB of base64; buffering the body and then decoding it costs ~10 MB
 * of heap per job, so a few hundred jobs finishing together would need gigabytes. A body here holds one network chunk
 * at a time plus its files' write queues: while a file is being created or its queue is full the body reports a full
 * queue, and the HTTP response is paused.
 *
 * <p>Everything else of the body is kept, byte for byte, in a capped buffer ({@link Result#rest()}) in which each
 * spooled value is replaced by a placeholder ({@link Result#image} maps it back), so callers parse metadata, URL
 * items and the error bodies of any status with an ordinary JSON parser. A body that is not JSON passes through
 * unchanged. The scanner is a tokenizer, not a validator: the caller's parse of {@code rest} rejects malformed JSON.
 *
 * <p>Spool files are created readable by their owner only. A body that fails (a value that is not base64, a write
 * error, the body ending inside a value, {@link #discard()}) deletes them all; once it has succeeded they belong to
 * the caller ({@link #settle}). Every method must be called on the Vert.x context the body is consumed on; nothing
 * blocks it.
 */
public final class StreamingImageBody implements BodyStream<StreamingImageBody.Result> {
  /** OpenAI's and Ark's image field. */
  public static final Field B64_JSON = Field.named("b64_json");
  /** Enough for any vendor's metadata; a bigger remainder is flagged rather than buffered. */
  public static final int DEFAULT_REST_LIMIT = 1024 * 1024;
  /** The leading bytes of each image kept in memory, so the caller can sniff its type without reading the file. */
  static final int HEAD_BYTES = 16;

  /**
   * Which string values hold images: those of the key {@code name}, in any object when {@code parents} is empty,
   * otherwise only in objects that are the value of one of the keys in {@code parents}.
   */
  public record Field(String name, Set<String> parents) {
    public Field {
      parents = Set.copyOf(parents);
    }

    /** Values of {@code name} wherever it occurs. */
    public static Field named(String name) {
      return new Field(name, Set.of());
    }

    /** Values of {@code name} in objects under one of {@code parents} (Gemini's {@code inlineData.data}). */
    public static Field inside(Set<String> parents, String name) {
      return new Field(name, parents);
    }

    int longestKey() {
      return parents.stream().mapToInt(Field::utf8Length).reduce(utf8Length(name), Math::max);
    }

    private static int utf8Length(String key) {
      return key.getBytes(StandardCharsets.UTF_8).length;
    }
  }

  /**
   * One result image: spooled to {@code file} (by the stream, or a download), or held in {@code bytes} (a value the
   * stream left in place);
   * exactly one of the two is set. {@code head} holds its first bytes for sniffing the type.
   */
  public record Image(Path file, byte[] bytes, long size, byte[] head) {
    /** An image held in memory. */
    public static Image of(byte[] bytes) {
      return new Image(null, bytes, bytes.length, Arrays.copyOf(bytes, Math.min(HEAD_BYTES, bytes.length)));
    }

    /** The result image this value is, as {@code contentType}. */
    public Generation.Image as(String contentType, String revisedPrompt) {
      return file != null ? Generation.Image.ofFile(file, size, contentType, revisedPrompt)
          : new Generation.Image(bytes, contentType, revisedPrompt);
    }
  }

  /**
   * The body without its spooled values. {@code restTruncated} means the remainder exceeded its limit and
   * {@code rest} holds only its beginning.
   */
  public record Result(Buffer rest, boolean restTruncated, List<Image> images) {
    public Result {
      images = List.copyOf(images);
    }

    /**
     * The image behind a value of the field, or {@code null} for a {@code null} or empty value: the spooled one that a
     * placeholder names, else the value itself decoded here (a value the stream could not recognise as the field's,
     * such as one under an escaped key). A value that is not base64 fails as a bad response calling it {@code what}.
     */
    public Image image(String value, String what, UpstreamFailures failures) {
      if (value == null || value.isEmpty()) {
        return null;
      }
      Image found = images.stream().filter(image -> image.file().getFileName().toString().equals(value)).findFirst()
          .orElseGet(() -> decoded(value, what, failures));
      return found.size() == 0 ? null : found;
    }

    private static Image decoded(String value, String what, UpstreamFailures failures) {
      try {
        return Image.of(ImageBase64.decode(value));
      } catch (IllegalArgumentException e) {
        throw failures.badResponse(what + " is not base64 (" + e.getMessage() + ")");
      }
    }
  }

  /** The body cannot be used: a spooled value is not base64, or the body ends inside one. */
  public static final class BadBody extends RuntimeException {
    BadBody(String message) {
      super(message, null, false, false);
    }
  }

  private final Promise<Result> result = Promise.promise();
  private final Spooler spooler;
  private boolean codecUsed;
  private boolean ended;
  private Throwable failure;
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  private final ImageFieldScanner scanner;

  /** A body spooling the values of {@code field} to {@code spoolDir} and keeping up to {@code restLimit} bytes else. */
  public StreamingImageBody(Vertx vertx, Path spoolDir, Field field, int restLimit) {
    this.spooler = new Spooler(vertx, spoolDir, field.name(), restLimit, this::fail, this::maybeDrain);
    this.scanner = new ImageFieldScanner(field, spooler);
  }

  /**
   * Hands {@code outcome} on once the spool files nobody will publish are gone: every file of {@code bodies} when it
   * failed, those its images do not reference when it succeeded (the rest now belong to its publisher).
   */
  public static Future<Generation> settle(AsyncResult<Generation> outcome, Collection<StreamingImageBody> bodies) {
    List<Path> kept = outcome.succeeded() ? outcome.result().spoolFiles() : List.of();
    List<Future<Void>> deleted = new ArrayList<>();
    for (StreamingImageBody body : bodies) {
      deleted.add(outcome.succeeded() ? body.spooler.deleteExcept(kept) : body.discard());
    }
    return Future.join(deleted).transform(ignored -> outcome.succeeded() ? Future.succeededFuture(outcome.result())
        : Future.failedFuture(outcome.cause()));
  }

  /** This body as a one-shot WebClient codec: {@code request.as(body.codec())}. */
  public BodyCodec<Result> codec() {
    return () -> {
      if (codecUsed) {
        // A redirect would feed a second body into the same spools; image APIs answer POSTs directly.
        throw new IllegalStateException("a StreamingImageBody consumes one response only");
      }
      codecUsed = true;
      return this;
    };
  }

  /** Completes with the result once {@link #end()} has flushed every spool file, or fails with the body. */
  @Override
  public Future<Result> result() {
    return result.future();
  }

  /** Scans one chunk; decoded bytes are queued on their spool file. */
  @Override
  public Future<Void> write(Buffer chunk) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    if (ended) {
      return Future.failedFuture(new IllegalStateException("body already ended"));
    }
    try {
      scanner.scan(chunk.getBytes());
    } catch (IllegalArgumentException notBase64) {
      fail(new BadBody(spooler.describeCurrent() + " is not base64 (" + notBase64.getMessage() + ")"));
      return Future.failedFuture(failure);
    } catch (RuntimeException bug) {
      fail(bug);
      return Future.failedFuture(bug);
    }
    return Future.succeededFuture();
  }

  /**
   * Completes once every spool file is written and closed; fails if the body ended inside a value. The WebClient
   * also ends the body when the exchange fails underneath it, and then fails the request with that cause.
   */
  @Override
  public Future<Void> end() {
    if (ended || failure != null) {
      return result.future().mapEmpty();
    }
    ended = true;
    if (spooler.inValue()) {
      fail(new BadBody("malformed JSON: the body ends inside " + spooler.describeCurrent()));
      return Future.failedFuture(failure);
    }
    return spooler.closed().transform(closed -> {
      if (closed.failed()) {
        fail(closed.cause());
        return Future.failedFuture(failure);
      }
      result.tryComplete(spooler.result());
      return result.future().mapEmpty(); // failed instead if the body was discarded meanwhile
    });
  }

  /** The exchange failed underneath the body: nothing of it is kept. */
  @Override
  public void handle(Throwable cause) {
    fail(cause);
  }

  @Override
  public StreamingImageBody exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  /** Ignored: the queue is bounded by the spool files' own write queues. */
  @Override
  public StreamingImageBody setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  /** Full while a spool file is still being created or its write queue is full. */
  @Override
  public boolean writeQueueFull() {
    return failure == null && !spooler.writable();
  }

  @Override
  public StreamingImageBody drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    maybeDrain();
    return this;
  }

  /**
   * Gives the body up: one still streaming fails (so later values are never spooled) and every spool file it created
   * is deleted, even those of a success. Never fails, and may be called any number of times.
   */
  public Future<Void> discard() {
    fail(new BadBody("the body was discarded"));
    return spooler.deleteExcept(Set.of());
  }

  private void fail(Throwable cause) {
    if (failure != null || result.future().succeeded()) {
      return; // a succeeded body's files belong to the caller now
    }
    failure = cause;
    result.tryFail(cause);
    spooler.abandon(cause);
    // A pipe paused on us waits for drain: let it resume so that its next write learns of the failure.
    Handler<Void> drain = drainHandler;
    drainHandler = null;
    if (drain != null) {
      drain.handle(null);
    }
    if (exceptionHandler != null) {
      exceptionHandler.handle(cause);
    }
  }

  private void maybeDrain() {
    Handler<Void> drain = drainHandler;
    if (drain != null && !writeQueueFull()) {
      drainHandler = null;
      drain.handle(null);
    }
  }
}
