package io.imagegen.common.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.storage.ObjectStore.Condition;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The in-memory store keeps the promises that code under test relies on in the real one. */
class InMemoryObjectStoreTest {
  private final InMemoryObjectStore store = new InMemoryObjectStore();

  @Test
  void aCreateIfAbsentLosesToAnExistingObject() {
    assertThat(store.put("tasks/a.json", bytes("1"), "application/json", Condition.ABSENT).succeeded()).isTrue();

    var second = store.put("tasks/a.json", bytes("2"), "application/json", Condition.ABSENT);

    assertThat(second.cause()).isInstanceOf(ConflictException.class);
    assertThat(new String(store.object("tasks/a.json").body(), StandardCharsets.UTF_8)).isEqualTo("1");
  }

  @Test
  void anUpdateWinsOnlyWithTheVersionItRead() {
    String first = store.put("tasks/a.json", bytes("1"), "application/json", Condition.ABSENT).result();
    String second = store.put("tasks/a.json", bytes("2"), "application/json", Condition.matching(first)).result();

    var stale = store.put("tasks/a.json", bytes("3"), "application/json", Condition.matching(first));

    assertThat(second).isNotEqualTo(first);
    assertThat(stale.cause()).isInstanceOf(ConflictException.class);
    assertThat(store.get("tasks/a.json").result().version()).isEqualTo(second);
  }

  @Test
  void listingsArePagedInKeyOrderWithinThePrefix() {
    for (String key : new String[] {"owners/a/images/3", "owners/a/images/1", "owners/b/images/0",
        "owners/a/images/2"}) {
      store.put(key, bytes(key), "application/json", Condition.NONE);
    }

    var first = store.list("owners/a/images/", null, 2).result();
    var rest = store.list("owners/a/images/", first.keys().get(1), 2).result();

    assertThat(first.keys()).containsExactly("owners/a/images/1", "owners/a/images/2");
    assertThat(first.truncated()).isTrue();
    assertThat(rest.keys()).containsExactly("owners/a/images/3");
    assertThat(rest.truncated()).isFalse();
  }

  @Test
  void onlyKeysTheLayoutCallsPublicArePublic() {
    store.put(BucketLayout.image("image_1", 1, 0, "png"), bytes("p"), "image/png", Condition.NONE);
    store.put(BucketLayout.task("image_1"), bytes("t"), "application/json", Condition.NONE);
    store.put(BucketLayout.input("image_1", 0), bytes("i"), "image/png", Condition.NONE);

    assertThat(store.object("images/image_1/1-0.png").publicObject()).isTrue();
    assertThat(store.object("tasks/image_1.json").publicObject()).isFalse();
    assertThat(store.object("inputs/image_1/0").publicObject()).isFalse();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
