package io.imagegen.common.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.json.Json;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskEventTest {
  private static final Task RUNNING = Task.queued("image_0123456789abcdef01234567", "alice", Instant.now(),
      Duration.ofHours(1), "demo-async", "a fox", "64x64", "auto", 1, "generation", Map.of())
      .running(Instant.now());

  @Test
  void anEventCarriesTheTaskAsWrittenAndItsRevision() {
    TaskEvent back = Json.fromBytes(Json.toBytes(TaskEvent.of(RUNNING, 42)), TaskEvent.class);

    assertThat(back.schemaVersion()).isEqualTo(2);
    assertThat(back.task()).isEqualTo(RUNNING);
    assertThat(back.revision()).isEqualTo(RUNNING.revision());
    assertThat(back.status()).isEqualTo(TaskStatus.RUNNING);
  }

  @Test
  void anEventFromAnOlderProducerStaysReadableWithoutSnapshot() {
    String old = "{\"v\":1,\"task_id\":\"image_0123456789abcdef01234567\",\"status\":\"SUCCEEDED\",\"at_ms\":7,"
        + "\"callback\":false}";

    TaskEvent event = Json.fromBytes(old.getBytes(StandardCharsets.UTF_8), TaskEvent.class);

    assertThat(event.taskId()).isEqualTo("image_0123456789abcdef01234567");
    assertThat(event.task()).isNull();
    assertThat(event.revision()).isNull();
    assertThat(event.mayNeedCallback()).isFalse();
  }
}
