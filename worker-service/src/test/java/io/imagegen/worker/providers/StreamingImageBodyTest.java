package io.imagegen.worker.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.StreamingImageBody.BadBody;
import io.imagegen.worker.providers.StreamingImageBody.Field;
import io.imagegen.worker.providers.StreamingImageBody.Image;
import io.imagegen.worker.providers.StreamingImageBody.Result;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming codec fed as the WebClient feeds it (write, honour a full queue, end) with bodies cut at every byte
 * boundary and at random, every decoded image compared with {@link java.util.Base64}'s decoding of the same value.
 */
class StreamingImageBodyTest {
  private static final UpstreamFailures FAILURES = UpstreamFailures.standard("test");
  private static final Field GEMINI = Field.inside(Set.of("inlineData", "inline_data"), "data");
  private static Vertx vertx;

  @TempDir
  Path spool;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  // ---- every byte boundary, every way vendors write base64 ----

  /** How a vendor may write the base64 of some bytes inside a JSON string. */
  private enum Spelling {
    PLAIN(bytes -> Base64.getEncoder().encodeToString(bytes)),
    UNPADDED(bytes -> Base64.getEncoder().withoutPadding().encodeToString(bytes)),
    URL_SAFE(bytes -> Base64.getUrlEncoder().encodeToString(bytes)),
    ESCAPED_SLASHES(bytes -> Base64.getEncoder().encodeToString(bytes).replace("/", "\\/")),
    UNICODE_ESCAPES(bytes -> Base64.getEncoder().encodeToString(bytes).replace("=", "\\u003d")
        .replace("/", "\\u002F").replace("+", "\\u002b")),
    MIME_LINES(bytes -> Base64.getMimeEncoder(8, "\r\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(bytes).replace("\r\n", "\\r\\n")),
    NEWLINES_AND_TABS(bytes -> Base64.getMimeEncoder(12, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(bytes).replace("\n", "\\n\\t")),
    DATA_URL(bytes -> "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes));

    private final Function<byte[], String> write;

    Spelling(Function<byte[], String> write) {
      this.write = write;
    }
  }

  @Test
  void everySpellingOfEveryRemainderDecodesToTheEncodedBytesWhereverTheBodyIsCut() {
    for (Spelling spelling : Spelling.values()) {
      for (int length : new int[] {1, 2, 3, 31}) {
        byte[] image = random(length, length);
        String value = spelling.write.apply(image);
        String body = "{\"created\":1,\"data\":[{\"b64_json\":\"" + value + "\",\"revised_prompt\":\"a \\\"fox\\\"\"}],"
            + "\"usage\":{\"total_tokens\":3}}";
        for (List<Buffer> chunks : everyCut(body)) {
          Result result = streamed(body(), chunks);

          String as = spelling + " of " + length + " bytes cut as " + sizes(chunks);
          JsonObject rest = result.rest().toJsonObject();
          JsonObject item = rest.getJsonArray("data").getJsonObject(0);
          assertThat(item.getString("revised_prompt")).as(as).isEqualTo("a \"fox\"");
          assertThat(rest.getJsonObject("usage").getInteger("total_tokens")).as(as).isEqualTo(3);
          Image spooled = result.image(item.getString("b64_json"), "data[0]", FAILURES);
          assertThat(spooled.file()).as(as).isNotNull();
          assertThat(contents(spooled)).as(as).isEqualTo(image);
          assertThat(spooled.size()).as(as).isEqualTo(length);
          assertThat(spooled.head()).as(as).isEqualTo(Arrays.copyOf(image, Math.min(16, length)));
        }
      }
    }
  }

  @Test
  void severalImagesAmongOtherStringsAreEachSpooledInOrderWhereverTheBodyIsCut() {
    byte[] first = random(7, 1);
    byte[] second = random(20, 2);
    String body = "{ \"data\" : [ {\"url\":\"http://x/\\\"b64_json\\\"\", \"b64_json\" : \""
        + Base64.getEncoder().encodeToString(first) + "\"} , {\"b64_json\":\""
        + Base64.getEncoder().encodeToString(second) + "\",\"note\":\"b64_json\"}, [\"b64_json\", \"QUJD\"] ] }";
    for (List<Buffer> chunks : everyCut(body)) {
      Result result = streamed(body(), chunks);

      JsonObject rest = result.rest().toJsonObject();
      assertThat(result.images()).hasSize(2);
      assertThat(contents(result.image(rest.getJsonArray("data").getJsonObject(0).getString("b64_json"), "first",
          FAILURES))).isEqualTo(first);
      assertThat(contents(result.image(rest.getJsonArray("data").getJsonObject(1).getString("b64_json"), "second",
          FAILURES))).isEqualTo(second);
      assertThat(rest.getJsonArray("data").getJsonObject(0).getString("url")).isEqualTo("http://x/\"b64_json\"");
      assertThat(rest.getJsonArray("data").getJsonArray(2).getString(1)).as("array items are not fields")
          .isEqualTo("QUJD");
    }
  }

  @Test
  void geminisInlineDataIsSpooledOnlyInsideItsParentWhereverTheBodyIsCut() {
    byte[] image = random(25, 3);
    String body = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"data\"},{\"inlineData\":{\"mimeType\":"
        + "\"image/png\",\"data\":\"" + Base64.getEncoder().encodeToString(image) + "\"}}]}}],"
        + "\"data\":\"not an image\",\"other\":{\"data\":\"nor this\"}}";
    for (List<Buffer> chunks : everyCut(body)) {
      Result result = streamed(new StreamingImageBody(vertx, spool, GEMINI, 4096), chunks);

      JsonObject rest = result.rest().toJsonObject();
      String value = rest.getJsonArray("candidates").getJsonObject(0).getJsonObject("content").getJsonArray("parts")
          .getJsonObject(1).getJsonObject("inlineData").getString("data");
      assertThat(result.images()).hasSize(1);
      assertThat(contents(result.image(value, "inline data", FAILURES))).isEqualTo(image);
      assertThat(rest.getString("data")).isEqualTo("not an image");
      assertThat(rest.getJsonObject("other").getString("data")).isEqualTo("nor this");
    }
  }

  // ---- big answers ----

  @Test
  void aFourMegabyteImageCutAtRandomIsSpooledIntactWhileTheBodyKeepsOnlyItsMetadata() {
    Random random = new Random(4);
    for (int round = 0; round < 3; round++) {
      byte[] image = random(4 * 1024 * 1024 + round, 40 + round);
      String value = Base64.getEncoder().encodeToString(image);
      String body = "{\"created\":1,\"data\":[{\"b64_json\":\"" + value + "\"}],\"output_format\":\"png\"}";
      Feed feed = new Feed(randomCuts(body, random, 1 + random.nextInt(64 * 1024)));

      Result result = succeeded(feed.into(body()));

      assertThat(result.rest().length()).as("metadata only").isLessThan(200);
      assertThat(result.images()).singleElement().satisfies(spooled -> {
        assertThat(spooled.size()).isEqualTo(image.length);
        assertThat(contents(spooled)).isEqualTo(Base64.getDecoder().decode(value));
      });
      assertThat(feed.pauses).as("the body paused its source while a file was being created").isPositive();
    }
  }

  // ---- what is left alone ----

  @Test
  void anErrorBodyAndAPageThatIsNotJsonPassThroughUnchanged() {
    for (String body : List.of("{\"error\":{\"message\":\"Incorrect API key \\u00e9\",\"code\":\"invalid_api_key\"}}",
        "<html><body>502 Bad Gateway \"b64_json\":\"x\"</body></html>", "")) {
      Result result = streamed(body(), cut(body, 3));

      assertThat(result.rest().toString(StandardCharsets.UTF_8)).isEqualTo(body);
      assertThat(result.images()).isEmpty();
      assertThat(result.restTruncated()).isFalse();
    }
  }

  @Test
  void aFieldUnderAnEscapedKeyIsLeftInPlaceAndDecodedInMemoryOnDemand() {
    byte[] image = random(12, 5);
    String body = "{\"data\":[{\"b64\\u005fjson\":\"" + Base64.getEncoder().encodeToString(image) + "\"}]}";

    Result result = streamed(body(), cut(body, 1));

    assertThat(result.images()).isEmpty();
    String value = result.rest().toJsonObject().getJsonArray("data").getJsonObject(0).getString("b64_json");
    Image decoded = result.image(value, "data[0]", FAILURES);
    assertThat(decoded.file()).isNull();
    assertThat(decoded.bytes()).isEqualTo(image);
  }

  @Test
  void theRemainderIsCappedAndFlaggedRatherThanBuffered() {
    String body = "{\"created\":1,\"big\":\"" + "x".repeat(5000) + "\",\"data\":[{\"b64_json\":\"QUJD\"}]}";

    Result result = streamed(new StreamingImageBody(vertx, spool, StreamingImageBody.B64_JSON, 1000), cut(body, 64));

    assertThat(result.restTruncated()).isTrue();
    assertThat(result.rest().length()).isEqualTo(1000);
    assertThat(result.rest().toString()).isEqualTo(body.substring(0, 1000));
  }

  @Test
  void anEmptyValueStandsForNoImage() {
    Result result = streamed(body(), cut("{\"data\":[{\"b64_json\":\"\",\"url\":\"http://x/1.png\"}]}", 5));

    String value = result.rest().toJsonObject().getJsonArray("data").getJsonObject(0).getString("b64_json");
    assertThat(result.image(value, "data[0]", FAILURES)).isNull();
    assertThat(result.image("", "data[0]", FAILURES)).isNull();
    assertThat(result.image(null, "data[0]", FAILURES)).isNull();
  }

  @Test
  void aBodyEndingOutsideAnImageSucceedsAndLeavesItsTruncationToTheParser() {
    String body = "{\"data\":[{\"b64_json\":\"QUJD\"},{\"url\":\"http://x";

    Result result = streamed(body(), cut(body, 7));

    assertThat(result.images()).hasSize(1);
    assertThat(result.rest().toString()).startsWith("{\"data\":[{\"b64_json\":\"").endsWith("{\"url\":\"http://x");
  }

  // ---- bad bodies: they fail, and nothing is left on disk ----

  @ParameterizedTest
  @ValueSource(strings = {"QUJD!EFG", "QQ=", "Q===", "QUJD=", "QQ==QUJD", "QUJDR", "\\u00e9QUJD",
      "\\bQUJD", "QU\\\"JD", "data:image/png;base64", "\u00e9t\u00e9"})
  void aValueThatIsNotBase64FailsTheBodyAndDeletesItsFiles(String value) {
    String body = "{\"data\":[{\"b64_json\":\"" + Base64.getEncoder().encodeToString(random(30, 6))
        + "\"},{\"b64_json\":\"" + value + "\"}]}";

    Throwable failure = failed(new Feed(cut(body, 4)).into(body()));

    assertThat(failure).isInstanceOf(BadBody.class).hasMessageContaining("b64_json #1 is not base64");
    assertSpoolEmpty();
    assertThatIllegalArgumentException().as("java.util.Base64 rejects it too").isThrownBy(() -> Base64.getDecoder()
        .decode(unescaped(value).getBytes(StandardCharsets.UTF_8)));
    UpstreamException inMemory = catchThrowableOfType(UpstreamException.class,
        () -> new Result(Buffer.buffer(), false, List.of()).image(unescaped(value), "data[1]", FAILURES));
    assertThat(inMemory.code()).as("decoded in memory, it is a bad response too")
        .isEqualTo("upstream_bad_response");
  }

  @Test
  void aBodyThatEndsInsideAnImageFailsAndDeletesItsFiles() {
    String body = "{\"data\":[{\"b64_json\":\"" + Base64.getEncoder().encodeToString(random(3000, 7));

    Throwable failure = failed(new Feed(cut(body, 100)).into(body()));

    assertThat(failure).isInstanceOf(BadBody.class).hasMessageContaining("ends inside b64_json #0");
    assertSpoolEmpty();
  }

  @Test
  void aDataUrlHeaderLongerThanAnyMediaTypeIsNotBase64() {
    Throwable failure = failed(new Feed(cut("{\"b64_json\":\"data:" + "x".repeat(300) + ",QUJD\"}", 50))
        .into(body()));

    assertThat(failure).isInstanceOf(BadBody.class).hasMessageContaining("data URL header");
    assertSpoolEmpty();
  }

  @Test
  void aBrokenUnicodeEscapeInsideAnImageFailsTheBody() {
    Throwable failure = failed(new Feed(cut("{\"b64_json\":\"QU\\u00zzJD\"}", 3)).into(body()));

    assertThat(failure).isInstanceOf(BadBody.class).hasMessageContaining("b64_json #0 is not base64");
    assertSpoolEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"data", "dat", "da", "datA", "dataQUJD", "daTA"})
  void valuesThatMerelyStartLikeADataUrlAreBase64(String value) {
    Result result = streamed(body(), cut("{\"b64_json\":\"" + value + "\"}", 1));

    assertThat(contents(result.images().get(0))).isEqualTo(Base64.getDecoder().decode(value));
  }

  @Test
  void anExchangeFailingUnderneathTheBodyDeletesWhatItSpooled() {
    StreamingImageBody body = body();
    vertx.runOnContext(ignored -> body.write(Buffer.buffer("{\"b64_json\":\"QUJDQUJD")));
    await().atMost(Duration.ofSeconds(10)).until(() -> !spoolFiles().isEmpty());

    vertx.runOnContext(ignored -> body.handle(new IllegalStateException("connection reset")));

    assertThat(failed(body.result())).hasMessage("connection reset");
    assertSpoolEmpty();
  }

  @Test
  void aSpoolDirectoryThatCannotBeWrittenFailsTheBodyInsteadOfHangingIt() {
    StreamingImageBody body = new StreamingImageBody(vertx, spool.resolve("missing"), StreamingImageBody.B64_JSON,
        4096);

    assertThat(failed(new Feed(cut("{\"b64_json\":\"QUJD\"}", 2)).into(body))).isInstanceOf(FileSystemException.class);
  }

  // ---- ownership of the files ----

  @Test
  void discardingABodyMidwayFailsItsLaterWritesAndDeletesItsFiles() {
    StreamingImageBody body = body();
    Promise<Future<Void>> later = Promise.promise();
    vertx.runOnContext(ignored -> body.write(Buffer.buffer("{\"data\":[{\"b64_json\":\"QUJD\"},{\"b64_json\":\"QU"))
        .compose(v -> body.discard())
        .onComplete(v -> later.complete(body.write(Buffer.buffer("JD\"}]}")))));

    assertThat(failed(succeeded(later.future()))).isInstanceOf(BadBody.class).hasMessageContaining("discarded");
    assertThat(failed(body.result())).isInstanceOf(BadBody.class);
    assertSpoolEmpty();
  }

  @Test
  void settlingASuccessKeepsOnlyTheFilesItsImagesUseAndSettlingAFailureKeepsNone() throws IOException {
    StreamingImageBody body = body();
    Result result = succeeded(new Feed(cut("{\"data\":[{\"b64_json\":\"QUJD\"},{\"b64_json\":\"REVG\"}]}", 9))
        .into(body));
    Image used = result.images().get(1);
    Generation generation = new Generation(List.of(used.as("image/png", null)), Usage.images(1));

    assertThat(succeeded(onLoop(() -> StreamingImageBody.settle(Future.succeededFuture(generation), List.of(body)))))
        .isSameAs(generation);
    assertThat(spoolFiles()).containsExactly(used.file());
    assertThat(Files.readString(used.file())).isEqualTo("DEF");

    assertThat(failed(onLoop(() -> StreamingImageBody.settle(Future.failedFuture(new IllegalStateException("late")),
        List.of(body))))).hasMessage("late");
    assertSpoolEmpty();
  }

  @Test
  void spoolFilesAreReadableByTheirOwnerOnly() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews()
        .contains("posix"));

    Result result = streamed(body(), cut("{\"b64_json\":\"QUJD\"}", 3));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(result.images().get(0).file())))
        .isEqualTo("rw-------");
  }

  @Test
  void aBodyConsumesOneResponseOnly() throws Exception {
    StreamingImageBody body = body();
    body.codec().stream();

    assertThatIllegalStateException().isThrownBy(() -> body.codec().stream());
  }

  // ---- helpers ----

  private StreamingImageBody body() {
    return new StreamingImageBody(vertx, spool, StreamingImageBody.B64_JSON, 4096);
  }

  private Result streamed(StreamingImageBody body, List<Buffer> chunks) {
    return succeeded(new Feed(chunks).into(body));
  }

  /** Feeds chunks as the WebClient's pipe does: write, and wait for drain whenever the body's queue is full. */
  private static final class Feed {
    private final List<Buffer> chunks;
    private int next;
    int pauses;

    Feed(List<Buffer> chunks) {
      this.chunks = chunks;
    }

    Future<Result> into(StreamingImageBody body) {
      vertx.runOnContext(ignored -> resume(body));
      return body.result();
    }

    private void resume(StreamingImageBody body) {
      while (next < chunks.size()) {
        body.write(chunks.get(next++));
        if (body.writeQueueFull()) {
          pauses++;
          body.drainHandler(ignored -> resume(body));
          return;
        }
      }
      body.end();
    }
  }

  private static <T> Future<T> onLoop(java.util.function.Supplier<Future<T>> call) {
    Promise<T> promise = Promise.promise();
    vertx.runOnContext(ignored -> call.get().onComplete(promise));
    return promise.future();
  }

  private static <T> T succeeded(Future<T> future) {
    await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
        .until(future::isComplete);
    if (future.failed()) {
      throw new AssertionError("expected success, got " + future.cause(), future.cause());
    }
    return future.result();
  }

  private static Throwable failed(Future<?> future) {
    await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
        .until(future::isComplete);
    assertThat(future.failed()).as("failed, not " + future.result()).isTrue();
    return future.cause();
  }

  /** The body as one chunk, cut in two at every byte boundary, and cut into single bytes. */
  private static List<List<Buffer>> everyCut(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    List<List<Buffer>> cuts = new ArrayList<>();
    for (int at = 0; at < bytes.length; at++) {
      cuts.add(at == 0 ? List.of(Buffer.buffer(bytes))
          : List.of(Buffer.buffer().appendBytes(bytes, 0, at),
              Buffer.buffer().appendBytes(bytes, at, bytes.length - at)));
    }
    cuts.add(cut(body, 1));
    return cuts;
  }

  private static List<Buffer> cut(String body, int size) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    List<Buffer> chunks = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += size) {
      chunks.add(Buffer.buffer().appendBytes(bytes, at, Math.min(size, bytes.length - at)));
    }
    return chunks;
  }

  private static List<Buffer> randomCuts(String body, Random random, int maxChunk) {
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    List<Buffer> chunks = new ArrayList<>();
    for (int at = 0; at < bytes.length; ) {
      int size = Math.min(bytes.length - at, 1 + random.nextInt(maxChunk));
      chunks.add(Buffer.buffer().appendBytes(bytes, at, size));
      at += size;
    }
    return chunks;
  }

  private static List<Integer> sizes(List<Buffer> chunks) {
    return chunks.size() > 3 ? List.of(chunks.size()) : chunks.stream().map(Buffer::length).toList();
  }

  private static byte[] random(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** A JSON string's content as a JSON parser returns it. */
  private static String unescaped(String jsonString) {
    return new JsonObject("{\"v\":\"" + jsonString + "\"}").getString("v");
  }

  private static byte[] contents(Image image) {
    try {
      return Files.readAllBytes(image.file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<Path> spoolFiles() throws IOException {
    try (Stream<Path> files = Files.list(spool)) {
      return files.toList();
    }
  }

  /** Deletion is asynchronous, so wait for the directory to empty rather than sleeping. */
  private void assertSpoolEmpty() {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(spoolFiles()).isEmpty());
  }
}
