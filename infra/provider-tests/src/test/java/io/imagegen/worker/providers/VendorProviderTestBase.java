package io.imagegen.worker.providers;

import static io.imagegen.worker.providers.ProviderFixtures.bytesOf;
import static io.imagegen.worker.providers.ProviderFixtures.image;
import static io.imagegen.worker.providers.ProviderFixtures.onLoop;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.common.storage.ObjectStore.Condition;
import io.imagegen.common.tasks.Task;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.fake.PngCheck;
import io.imagegen.fake.RecordedRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Set-up of the synchronous vendor adapter tests: the fake upstream over real HTTP, a Vert.x client, a spool
 * directory, and an in-memory object store holding two edit inputs ({@link #PNG} and {@link #JPEG}) before every
 * test.
 */
public abstract class VendorProviderTestBase {
  protected static final byte[] PNG = image("png", 32, 32);
  protected static final byte[] JPEG = image("jpg", 48, 32);

  protected static FakeUpstream fake;
  protected static Vertx vertx;
  protected static WebClient web;
  protected static final InMemoryObjectStore objects = new InMemoryObjectStore();
  /** Where the adapters spool result images; tests own the files of the generations they get. */
  @TempDir
  protected static Path spool;

  @BeforeAll
  static void startUpstream() {
    fake = FakeUpstream.start(0);
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterAll
  static void stopUpstream() {
    web.close();
    vertx.close();
    fake.close();
  }

  @BeforeEach
  void resetUpstream() {
    fake.reset();
    objects.keys().forEach(objects::delete);
    objects.put("inputs/one.png", PNG, "image/png", Condition.NONE);
    objects.put("inputs/two.jpg", JPEG, "image/jpeg", Condition.NONE);
  }

  /** A context whose environment has the fake's key for every vendor except {@code keyEnv}, which holds {@code key}. */
  protected static ProviderContext context(String keyEnv, String key) {
    Map<String, String> env = new HashMap<>(Map.of("ARK_API_KEY", FakeUpstream.API_KEY,
        "GEMINI_API_KEY", FakeUpstream.API_KEY));
    env.put(keyEnv, key);
    return new ProviderContext(vertx, web, objects, env, spool);
  }

  /** One attempt of {@code task} by {@code provider}, run on an event loop as the worker runs it. */
  protected static Future<Generation> generate(ImageProvider provider, Task task, ModelSpec model) {
    return onLoop(vertx, () -> provider.generate(new GenerationRequest(task, model, 1)));
  }

  /** The files in the spool directory now. */
  protected static List<Path> spoolFiles() {
    try (Stream<Path> files = Files.list(spool)) {
      return files.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON body of the one request the fake received; fails the test unless there was exactly one. */
  protected static JsonObject onlyRequestBody() {
    List<RecordedRequest> requests = fake.requests();
    assertThat(requests).hasSize(1);
    return requests.get(0).json();
  }

  /** Asserts that {@code image} lives in a spool file, not in the heap, and is the whole PNG of {@code size} bytes. */
  protected static void assertSpooledWhole(Generation.Image image, long size) {
    assertThat(image.spooled()).as("file-backed, not in the heap").isTrue();
    assertThat(image.bytes()).isNull();
    assertThat(image.size()).isEqualTo(size);
    assertThat(PngCheck.intact(bytesOf(image))).as("every PNG chunk's CRC holds").isTrue();
  }
}
