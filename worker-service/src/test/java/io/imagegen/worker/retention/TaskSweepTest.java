package io.imagegen.worker.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.images.ImageRecords;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.common.storage.ObjectStore.Condition;
import io.imagegen.common.tasks.ImageData;
import io.imagegen.common.tasks.S3TaskStore;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskIds;
import io.imagegen.common.tasks.TaskResult;
import io.imagegen.common.tasks.Usage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One task's sweep: every object of an expired task goes, record last; an unexpired task is left alone. */
class TaskSweepTest {
  private static final Instant CREATED = Instant.parse("2026-12-07T10:00:00Z");
  private static final Duration RETENTION = Duration.ofHours(24);

  private final InMemoryObjectStore objects = new InMemoryObjectStore();
  private final S3TaskStore tasks = new S3TaskStore(objects);

  @Test
  void anExpiredTaskLeavesNoObjectBehind() {
    Task done = succeededEditWithClaim();
    objects.put("tasks/image_unrelated.json", new byte[] {1}, "application/json", Condition.NONE);

    Instant due = sweepAt(CREATED.plus(RETENTION).plusSeconds(61));

    assertThat(due).isNull();
    assertThat(objects.keys()).containsExactly("tasks/image_unrelated.json");
    assertThat(done.params()).containsKey(Task.IDEMPOTENCY_RECORD);
  }

  @Test
  void aTaskNotExpiredYetIsLeftAloneAndSaysWhenItWillBe() {
    Task done = succeededEditWithClaim();
    List<String> before = objects.keys();

    Instant due = sweepAt(CREATED.plus(RETENTION));

    assertThat(due).isEqualTo(Instant.ofEpochSecond(done.expiresAt()));
    assertThat(objects.keys()).isEqualTo(before);
  }

  @Test
  void sweepingAgainAfterASweepIsHarmless() {
    succeededEditWithClaim();
    Instant later = CREATED.plus(RETENTION).plusSeconds(3600);
    sweepAt(later);

    assertThat(sweepAt(later)).isNull();
    assertThat(objects.keys()).isEmpty();
  }

  private Instant sweepAt(Instant now) {
    var outcome = new TaskSweep(objects, tasks, Clock.fixed(now, ZoneOffset.UTC)).sweep(taskId);
    assertThat(outcome.succeeded()).as("sweep: %s", outcome.cause()).isTrue();
    return outcome.result();
  }

  private final String taskId = TaskIds.next(CREATED);

  /** A finished edit with two inputs, two images, the owner's records and index entry and a claim, as stored. */
  private Task succeededEditWithClaim() {
    String claim = BucketLayout.idempotency("alice", "ab12");
    Task queued = Task.queued(taskId, "alice", CREATED, RETENTION, "gpt-image-1", "a fox", "1024x1024", "low", 2,
        "edit", Map.of("image_keys", List.of(BucketLayout.input(taskId, 0), BucketLayout.input(taskId, 1)),
            Task.IDEMPOTENCY_RECORD, claim));
    List<ImageData> images = List.of(image(0), image(1));
    Task done = queued.running(CREATED.plusSeconds(1))
        .succeeded(new TaskResult(CREATED.getEpochSecond() + 60, images, Usage.images(2), null),
            CREATED.plusSeconds(60), RETENTION);
    put(claim);
    put(BucketLayout.input(taskId, 0));
    put(BucketLayout.input(taskId, 1));
    images.forEach(image -> put(image.storageKey()));
    ImageRecords.keys(done).forEach(this::put);
    put(BucketLayout.ownerTask("alice", taskId));
    tasks.create(done);
    assertThat(objects.keys()).hasSize(9);
    return done;
  }

  private ImageData image(int index) {
    String key = BucketLayout.image(taskId, 1, index, "png");
    return new ImageData(objects.publicUrl(key, RETENTION), null, key, "image/png", 1);
  }

  private void put(String key) {
    objects.put(key, new byte[] {1}, "application/octet-stream", Condition.NONE);
  }
}
