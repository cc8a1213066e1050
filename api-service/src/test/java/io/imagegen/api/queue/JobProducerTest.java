package io.imagegen.api.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.json.Json;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.storage.Versioned;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskIds;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Jobs carry their task record (docs/performance.md#storage-calls) unless that would make them large. */
class JobProducerTest {
  private final Vertx vertx = Vertx.vertx();
  private final MockProducer<String, byte[]> kafka = new MockProducer<>(true, null, new StringSerializer(),
      new ByteArraySerializer());
  /** Not started: the producer only records where its jobs went. */
  private final JobPositions positions = new JobPositions(new MockConsumer<>("earliest"), "jobs");
  private final JobProducer producer = new JobProducer(vertx, "jobs", kafka, positions);

  @AfterEach
  void tearDown() {
    vertx.close();
  }

  @Test
  void aJobCarriesItsTaskRecordAndVersion() throws Exception {
    Versioned<Task> queued = queued("a fox");

    JobMessage sent = send(JobMessage.carrying(queued, 1));

    assertThat(sent.enqueued()).isEqualTo(queued);
  }

  @Test
  void aJobWhoseTaskIsLargeGoesWithoutItSoTheWorkerReadsIt() throws Exception {
    Versioned<Task> queued = queued("x".repeat(JobProducer.MAX_CARRIED_BYTES));

    JobMessage sent = send(JobMessage.carrying(queued, 1));

    assertThat(sent.taskId()).isEqualTo(queued.value().id());
    assertThat(sent.task()).isNull();
    assertThat(sent.enqueued()).isNull();
  }

  private JobMessage send(JobMessage job) throws Exception {
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(ignored -> producer.send(job).onComplete(done));
    done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return Json.fromBytes(kafka.history().get(0).value(), JobMessage.class);
  }

  private static Versioned<Task> queued(String prompt) {
    return new Versioned<>(Task.queued(TaskIds.next(Instant.now()), "owner-1", Instant.now(), Duration.ofHours(1), "gpt-image-1",
        prompt, "1024x1024", "low", 1, "generation", Map.of()), "\"etag-1\"");
  }
}
