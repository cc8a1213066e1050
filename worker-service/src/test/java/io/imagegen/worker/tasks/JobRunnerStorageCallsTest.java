package io.imagegen.worker.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.queue.TaskEventPublisher;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.common.storage.Versioned;
import io.imagegen.common.tasks.S3TaskStore;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskIds;
import io.imagegen.common.tasks.TaskStatus;
import io.imagegen.common.tasks.TaskStore;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ImageProvider;
import io.imagegen.worker.providers.ProviderFixtures;
import io.imagegen.worker.providers.Providers;
import io.imagegen.worker.queue.JobOutcome;
import io.imagegen.worker.upstream.UpstreamGate;
import io.imagegen.worker.upstream.ClusterShare;
import io.imagegen.common.usage.UsageLedger;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What one job costs the object store (docs/performance.md#storage-calls), counted by {@link InMemoryObjectStore}
 * under the real {@link S3TaskStore}: a job carrying its task as enqueued reads nothing, and a copy made stale by a
 * cancel or an earlier delivery is re-read rather than trusted.
 */
class JobRunnerStorageCallsTest {
  private Vertx vertx;
  private final InMemoryObjectStore objects = new InMemoryObjectStore();
  private final TaskStore tasks = new S3TaskStore(objects);
  private final AtomicInteger vendorCalls = new AtomicInteger();
  private ModelSpec model;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    model = ProviderFixtures.repointed(ModelCatalog.load(null).find("gpt-image-1").orElseThrow(), null,
        Duration.ofSeconds(5));
  }

  @AfterEach
  void tearDown() {
    vertx.close();
  }

  @Test
  void aJobCarryingItsTaskCostsFourWritesAndNoReadForOneImage() {
    Versioned<Task> queued = created(1);
    long putsBefore = objects.calls("put");

    run(JobMessage.carrying(queued, 0));

    // RUNNING, the image, SUCCEEDED, the owner's image record.
    assertThat(objects.calls("put") - putsBefore).isEqualTo(4);
    assertThat(objects.calls("get")).isZero();
    assertThat(objects.calls("list")).isZero();
    assertThat(objects.calls("delete")).isZero();
    assertThat(tasks.find(queued.value().id()).result().value().status()).isEqualTo(TaskStatus.SUCCEEDED);
  }

  @Test
  void aJobWithoutItsTaskReadsItOnce() {
    Versioned<Task> queued = created(2);
    long putsBefore = objects.calls("put");

    run(JobMessage.of(queued.value().id(), model.id(), 0));

    // RUNNING, two images, SUCCEEDED, two image records; and the read the message did not spare.
    assertThat(objects.calls("put") - putsBefore).isEqualTo(6);
    assertThat(objects.calls("get")).isEqualTo(1);
  }

  @Test
  void aTaskCancelledAfterItsJobWasEnqueuedIsNotRunFromTheStaleCopy() {
    Versioned<Task> queued = created(1);
    tasks.replace(queued, queued.value().cancelled(Instant.now(), Duration.ofHours(1))).result();

    run(JobMessage.carrying(queued, 0));

    assertThat(tasks.find(queued.value().id()).result().value().status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(vendorCalls).hasValue(0);
  }

  @Test
  void aRedeliveredJobFindsTheTaskFinishedAndKeepsItsResult() {
    Versioned<Task> queued = created(1);
    run(JobMessage.carrying(queued, 0));
    Task first = tasks.find(queued.value().id()).result().value();

    run(JobMessage.carrying(queued, 0));

    assertThat(tasks.find(queued.value().id()).result().value()).isEqualTo(first);
    assertThat(vendorCalls).hasValue(1);
  }

  private static UsageLedger ledger() {
    UsageLedger ledger = mock(UsageLedger.class);
    when(ledger.publish(any())).thenReturn(Future.succeededFuture());
    return ledger;
  }

  private Versioned<Task> created(int images) {
    Task task = Task.queued(TaskIds.next(Instant.now()), "owner-1",
        Instant.now(), Duration.ofHours(1), model.id(), "a fox", "1024x1024", "low", images, "generation", Map.of());
    return tasks.create(task).result();
  }

  private void run(JobMessage job) {
    ImageProvider provider = new ImageProvider() {
      @Override
      public String name() {
        return model.provider();
      }

      @Override
      public Future<Generation> generate(GenerationRequest request) {
        vendorCalls.incrementAndGet();
        List<Generation.Image> images = java.util.stream.IntStream.range(0, request.task().n())
            .mapToObj(i -> new Generation.Image(new byte[] {1, 2, 3}, "image/png", null)).toList();
        return Future.succeededFuture(new Generation(images, Usage.images(images.size())));
      }
    };
    ModelCatalog catalog = ModelCatalog.of(List.of(model));
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    JobRunner runner = new JobRunner(vertx, tasks, objects, catalog, new Providers(List.of(provider)),
        new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10)), Duration.ofHours(1), Duration.ofMinutes(5),
        mock(TaskEventPublisher.class), ledger(), new UpstreamGate(vertx, catalog, Clock.systemUTC(), metrics,
        ClusterShare.whole()), metrics, Clock.systemUTC());
    Future<JobOutcome> ran = ProviderFixtures.onLoop(vertx, () -> runner.run(job));
    await().atMost(Duration.ofSeconds(10)).until(ran::isComplete);
    assertThat(ran.succeeded()).as("run: %s", ran.cause()).isTrue();
  }
}
