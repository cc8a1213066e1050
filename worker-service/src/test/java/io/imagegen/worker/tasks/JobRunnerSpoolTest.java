package io.imagegen.worker.tasks;

import io.imagegen.common.errors.ErrorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.queue.TaskEventPublisher;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.common.tasks.S3TaskStore;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.usage.UsageLedger;
import io.imagegen.common.tasks.TaskStatus;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.queue.JobOutcome;
import io.imagegen.worker.upstream.ClusterShare;
import io.imagegen.worker.upstream.UpstreamGate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ImageProvider;
import io.imagegen.worker.providers.ProviderFixtures;
import io.imagegen.worker.providers.Providers;
import io.imagegen.worker.queue.JobOutcome;
import io.imagegen.worker.upstream.UpstreamGate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's side of spooled results: it uploads them from their files and deletes the files once published, and it
 * deletes the files of an answer that arrives after it gave up on the attempt, which nobody else will ever publish.
 * Also: a task cancelled while it rendered publishes nothing. The object store is in memory (task records through
 * the real {@code S3TaskStore} on it) and the event publisher a Mockito stand-in; the real S3 path is covered by the
 * end-to-end tests.
 */
class JobRunnerSpoolTest {
  private static final Duration ATTEMPT = Duration.ofMillis(300);

  @TempDir
  Path spool;
  private Vertx vertx;
  private final InMemoryObjectStore objects = new InMemoryObjectStore();
  private final S3TaskStore tasks = new S3TaskStore(objects);
  private ModelSpec model;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    model = ProviderFixtures.repointed(ModelCatalog.load(null).find("gpt-image-1").orElseThrow(), null, ATTEMPT);
  }

  @AfterEach
  void tearDown() {
    vertx.close();
  }

  @Test
  void spooledImagesAreUploadedFromTheirFilesWhichAreDeletedOncePublished() {
    byte[] first = random(300_000, 1);
    byte[] second = random(5, 2);
    Generation generation = new Generation(List.of(spooled(first, "image/png"), spooled(second, "image/jpeg")),
        Usage.images(2));
    Task task = queued();

    run(task, request -> Future.succeededFuture(generation));

    Task done = tasks.find(task.id()).result().value();
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(done.result().data()).extracting(image -> image.bytes()).containsExactly(300_000L, 5L);
    assertThat(objects.object(done.result().data().get(0).storageKey()).body()).isEqualTo(first);
    assertThat(objects.object(done.result().data().get(1).storageKey()).body()).isEqualTo(second);
    assertThat(generation.spoolFiles()).allSatisfy(file -> assertThat(file).doesNotExist());
  }

  @Test
  void theFilesOfAnAnswerThatCameAfterTheAttemptTimedOutAreDeleted() {
    Generation late = new Generation(List.of(spooled(random(1000, 3), "image/png")), Usage.images(1));
    AtomicInteger calls = new AtomicInteger();
    Task task = queued();

    run(task, request -> {
      calls.incrementAndGet();
      return vertx.timer(ATTEMPT.toMillis() * 3).map(late);
    });

    Task done = tasks.find(task.id()).result().value();
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error().code()).isEqualTo("upstream_timeout");
    assertThat(calls).hasValue(1);
    assertThat(objects.keys()).noneMatch(key -> key.startsWith("images/"));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(late.spoolFiles())
        .allSatisfy(file -> assertThat(file).doesNotExist()));
  }

  @Test
  void theImagesOfATaskCancelledWhileItRenderedAreDeletedInsteadOfPublished() {
    Generation generation = new Generation(List.of(spooled(random(1000, 4), "image/png")), Usage.images(1));
    Task task = queued();

    run(task, request -> tasks.find(task.id())
        .compose(running -> tasks.replace(running, running.value().cancelled(Instant.now(), Duration.ofHours(1))))
        .map(generation));

    assertThat(tasks.find(task.id()).result().value().status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(objects.keys()).noneMatch(key -> key.startsWith("images/"));
    assertThat(objects.calls("delete")).as("the image uploaded before the cancellation was seen").isEqualTo(1);
  }

  /** Runs one job for {@code task} with a provider answering as {@code answer} and a single attempt allowed. */
  private void run(Task task, java.util.function.Function<GenerationRequest, Future<Generation>> answer) {
    ImageProvider provider = new ImageProvider() {
      @Override
      public String name() {
        return model.provider();
      }

      @Override
      public Future<Generation> generate(GenerationRequest request) {
        return answer.apply(request);
      }
    };
    ModelCatalog catalog = ModelCatalog.of(List.of(model));
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    JobRunner runner = new JobRunner(vertx, tasks, objects, catalog,
        new Providers(List.of(provider)), new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10)),
        Duration.ofHours(1), Duration.ofMinutes(5), mock(TaskEventPublisher.class), ledger(),
        new UpstreamGate(vertx, catalog, Clock.systemUTC(), metrics, ClusterShare.whole()), metrics, Clock.systemUTC());
    Future<JobOutcome> ran = ProviderFixtures.onLoop(vertx, () -> runner.run(JobMessage.of(task.id(), model.id(), 0)));
    await().atMost(Duration.ofSeconds(10)).until(ran::isComplete);
    assertThat(ran.succeeded()).as("run: %s", ran.cause()).isTrue();
  }

  private static UsageLedger ledger() {
    UsageLedger ledger = mock(UsageLedger.class);
    when(ledger.publish(any())).thenReturn(Future.succeededFuture());
    return ledger;
  }

  private Task queued() {
    Task task = Task.queued("image_" + Long.toHexString(new Random().nextLong() | Long.MIN_VALUE), "owner-1",
        Instant.now(), Duration.ofHours(1), model.id(), "a fox", "1024x1024", "low", 1, "generation", Map.of());
    tasks.create(task);
    return task;
  }

  private Generation.Image spooled(byte[] bytes, String type) {
    try {
      Path file = Files.createTempFile(spool, "imagegen-spool-", ".bin");
      Files.write(file, bytes);
      return Generation.Image.ofFile(file, bytes.length, type, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] random(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
