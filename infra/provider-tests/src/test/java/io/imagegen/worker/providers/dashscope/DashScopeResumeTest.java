package io.imagegen.worker.providers.dashscope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.common.tasks.S3TaskStore;
import io.imagegen.common.tasks.Task;
import io.imagegen.fake.Behaviour;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ProviderContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A worker that takes a DashScope task over resumes the vendor task recorded on it instead of paying again. */
class DashScopeResumeTest {
  private static final DashScopeProvider.Options FAST =
      new DashScopeProvider.Options(Duration.ofMillis(50), Duration.ofMillis(200), 20);

  private static FakeUpstream fake;
  private static Vertx vertx;
  private static ModelSpec wan;
  private InMemoryObjectStore objects;
  private S3TaskStore tasks;
  private DashScopeProvider provider;

  @BeforeAll
  static void startUpstream() {
    fake = FakeUpstream.start(0);
    vertx = Vertx.vertx();
    wan = Fixtures.model("wan2.2-t2i-flash", fake.baseUrl());
  }

  @AfterAll
  static void stopUpstream() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    fake.close();
  }

  @BeforeEach
  void fresh() {
    fake.reset();
    fake.behave(Behaviour.normal().withLatency(Duration.ofMillis(300)));
    objects = new InMemoryObjectStore();
    tasks = new S3TaskStore(objects);
    provider = new DashScopeProvider(new ProviderContext(vertx, WebClient.create(vertx), objects,
        Map.of("DASHSCOPE_API_KEY", FakeUpstream.API_KEY)), FAST);
  }

  @Test
  void aWorkerTakingTheTaskOverPollsTheRecordedVendorTaskWithoutSubmittingAgain() throws Exception {
    Task first = running(Fixtures.task(wan, "a paper boat", "1024x768", 1, Map.of()));
    assertThat(generate(first).succeeded()).isTrue();
    Task recorded = stored(first.id());
    assertThat(recorded.upstreamTaskId()).isNotBlank();

    // The first worker died before its terminal write: the next one runs attempt 2 of the same record.
    Future<Generation> resumed = generate(running(recorded));

    assertThat(resumed.succeeded()).as("resumed: %s", resumed.cause()).isTrue();
    assertThat(resumed.result().images()).hasSize(1);
    assertThat(submits()).isEqualTo(1);
  }

  @Test
  void aVendorTaskTheVendorNoLongerKnowsIsSubmittedAfresh() throws Exception {
    Task lost = running(Fixtures.task(wan, "a paper boat", "1024x768", 1, Map.of()).withUpstreamTaskId("gone"));

    Future<Generation> generated = generate(lost);

    assertThat(generated.succeeded()).as("generated: %s", generated.cause()).isTrue();
    assertThat(submits()).isEqualTo(1);
    assertThat(stored(lost.id()).upstreamTaskId()).isNotEqualTo("gone");
  }

  /** Stores {@code task} (or its next attempt) as RUNNING, as the job runner does before calling the provider. */
  private Task running(Task task) throws Exception {
    var current = tasks.find(task.id()).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    if (current == null) {
      current = tasks.create(task).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    return tasks.replace(current, current.value().running(Instant.now())).toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.SECONDS).value();
  }

  private Task stored(String id) throws Exception {
    return tasks.find(id).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).value();
  }

  private Future<Generation> generate(Task task) {
    Future<Generation> generated = provider.generate(new GenerationRequest(task, wan, task.attempts()));
    await().atMost(Duration.ofSeconds(10)).until(generated::isComplete);
    return generated;
  }

  private static long submits() {
    return fake.requests().stream().filter(r -> r.path().equals(DashScopeProvider.SUBMIT_PATH)).count();
  }
}
