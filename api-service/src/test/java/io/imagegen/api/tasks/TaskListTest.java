package io.imagegen.api.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.common.storage.ObjectStore.Condition;
import io.imagegen.common.tasks.S3TaskStore;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskIds;
import io.imagegen.common.tasks.TaskStatus;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Listing the caller's tasks: newest first, the caller's only, filtered, paged, and bounded in storage calls. */
class TaskListTest {
  private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
  private final InMemoryObjectStore objects = new InMemoryObjectStore();
  private final S3TaskStore store = new S3TaskStore(objects);
  private final TaskList list = new TaskList(objects, store, Clock.fixed(T0.plusSeconds(600), ZoneOffset.UTC));

  @Test
  void aKeySeesOnlyItsOwnTasksNewestFirst() {
    String first = submit("alice", 1, "gpt-image-1");
    String second = submit("alice", 2, "gpt-image-1");
    submit("bob", 3, "gpt-image-1");
    String third = submit("alice", 4, "dall-e-3");

    JsonObject page = list.list("alice", TaskList.Query.parse(null, null, null, null)).result();

    assertThat(ids(page)).containsExactly(third, second, first);
    assertThat(page.getBoolean("has_more")).isFalse();
  }

  @Test
  void pagesFollowOnFromTheLastIdAndFiltersApply() {
    String first = submit("alice", 1, "gpt-image-1");
    String second = submit("alice", 2, "dall-e-3");
    String third = submit("alice", 3, "gpt-image-1");
    cancel(second);

    JsonObject page1 = list.list("alice", TaskList.Query.parse(null, null, null, "2")).result();
    JsonObject page2 = list.list("alice", TaskList.Query.parse(null, null, page1.getString("last_id"), "2")).result();
    JsonObject cancelled = list.list("alice", TaskList.Query.parse("cancelled", null, null, null)).result();
    JsonObject byModel = list.list("alice", TaskList.Query.parse(null, "gpt-image-1", null, null)).result();

    assertThat(ids(page1)).containsExactly(third, second);
    assertThat(page1.getBoolean("has_more")).isTrue();
    assertThat(ids(page2)).containsExactly(first);
    assertThat(page2.getBoolean("has_more")).isFalse();
    assertThat(ids(cancelled)).containsExactly(second);
    assertThat(ids(byModel)).containsExactly(third, first);
  }

  @Test
  void aRequestReadsAtMostThreeTimesItsLimitAndNeverListsTheBucket() {
    for (int i = 0; i < 20; i++) {
      submit("alice", i, "gpt-image-1");
    }
    long listsBefore = objects.calls("list");
    long getsBefore = objects.calls("get");

    JsonObject page = list.list("alice", TaskList.Query.parse("failed", null, null, "2")).result();

    assertThat(ids(page)).isEmpty();
    assertThat(page.getBoolean("has_more")).isTrue();
    assertThat(objects.calls("list") - listsBefore).isEqualTo(1);
    assertThat(objects.calls("get") - getsBefore).isEqualTo(6);
  }

  @Test
  void badParametersNameTheirField() {
    assertThatThrownBy(() -> TaskList.Query.parse("done", null, null, null))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("status must be one of");
    assertThatThrownBy(() -> TaskList.Query.parse(null, null, "../x", null))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("after");
    assertThatThrownBy(() -> TaskList.Query.parse(null, null, null, "101"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("limit must be between 1 and 100");
  }

  private String submit(String owner, int second, String model) {
    Instant created = T0.plusSeconds(second);
    String id = TaskIds.next(created);
    store.create(Task.queued(id, owner, created, Duration.ofHours(24), model, "p", "1024x1024", "auto", 1,
        "generation", Map.of()));
    objects.put(BucketLayout.ownerTask(owner, id), new byte[0], "application/json", Condition.NONE);
    return id;
  }

  private void cancel(String id) {
    var current = store.find(id).result();
    store.replace(current, current.value().cancelled(T0.plusSeconds(60), Duration.ofHours(24)));
    assertThat(store.find(id).result().value().status()).isEqualTo(TaskStatus.CANCELLED);
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("data").stream().map(task -> ((JsonObject) task).getString("id")).toList();
  }
}
