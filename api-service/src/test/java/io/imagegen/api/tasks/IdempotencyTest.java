package io.imagegen.api.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.ConflictException;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.common.testing.TestClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code Idempotency-Key} claims: one winner per key and owner, same body replays, another body conflicts. */
class IdempotencyTest {
  private final InMemoryObjectStore objects = new InMemoryObjectStore();
  private final TestClock clock = new TestClock(Instant.parse("2026-12-07T12:00:00Z"));
  private final Idempotency idempotency = new Idempotency(objects, clock, Duration.ofHours(24));
  private final JsonObject body = new JsonObject().put("model", "gpt-image-1").put("prompt", "a fox");

  @Test
  void theFirstClaimWinsAndARetryWithTheSameBodyGetsTheSameTask() {
    var first = idempotency.claim("alice", "k1", body, "image_a").result();
    var retry = idempotency.claim("alice", "k1", new JsonObject().put("prompt", "a fox").put("model", "gpt-image-1"),
        "image_b").result();

    assertThat(first).isEqualTo(new Idempotency.Claim("image_a", true));
    assertThat(retry).isEqualTo(new Idempotency.Claim("image_a", false));
  }

  @Test
  void theSameKeyWithAnotherBodyIsAConflict() {
    idempotency.claim("alice", "k1", body, "image_a");

    var other = idempotency.claim("alice", "k1", body.copy().put("n", 2), "image_b");

    assertThat(other.cause()).isInstanceOf(ConflictException.class)
        .hasMessageContaining("different request body");
  }

  @Test
  void keysAreSeparatePerOwner() {
    idempotency.claim("alice", "k1", body, "image_a");

    assertThat(idempotency.claim("bob", "k1", body, "image_b").result().fresh()).isTrue();
  }

  @Test
  void anExpiredClaimIsTakenOverAndAReleasedKeyIsFreeAgain() {
    idempotency.claim("alice", "k1", body, "image_a");
    clock.advance(Duration.ofHours(25));

    assertThat(idempotency.claim("alice", "k1", body, "image_b").result()).isEqualTo(
        new Idempotency.Claim("image_b", true));

    idempotency.release("alice", "k1");
    assertThat(objects.keys()).isEmpty();
  }
}
