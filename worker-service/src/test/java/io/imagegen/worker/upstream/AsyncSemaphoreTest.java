package io.imagegen.worker.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AsyncSemaphoreTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() {
    vertx.close().await();
  }

  @Test
  void aCallerBeyondThePermitsWaitsUntilOneIsReleased() {
    AsyncSemaphore semaphore = new AsyncSemaphore(vertx, 2);
    Future<Void> first = semaphore.acquire(10_000);
    Future<Void> second = semaphore.acquire(10_000);

    Future<Void> third = semaphore.acquire(10_000);

    assertThat(first.succeeded()).isTrue();
    assertThat(second.succeeded()).isTrue();
    assertThat(third.isComplete()).isFalse();
    assertThat(semaphore.waiting()).isEqualTo(1);
    semaphore.release();
    assertThat(third.succeeded()).isTrue();
    assertThat(semaphore.waiting()).isZero();
  }

  @Test
  void waitersAreServedInArrivalOrderAndNewcomersQueueBehindThem() {
    AsyncSemaphore semaphore = new AsyncSemaphore(vertx, 1);
    semaphore.acquire(10_000);
    Future<Void> early = semaphore.acquire(10_000);
    Future<Void> late = semaphore.acquire(10_000);

    semaphore.release();

    assertThat(early.succeeded()).isTrue();
    assertThat(late.isComplete()).isFalse();
  }

  @Test
  void aWaiterWhoseTimeRunsOutFailsAndDoesNotSwallowALaterPermit() {
    AsyncSemaphore semaphore = new AsyncSemaphore(vertx, 1);
    semaphore.acquire(10_000);
    Future<Void> impatient = semaphore.acquire(50);
    Future<Void> patient = semaphore.acquire(10_000);

    await().atMost(Duration.ofSeconds(5)).until(impatient::isComplete);
    assertThat(impatient.cause()).isInstanceOf(TimeoutException.class);
    semaphore.release();

    assertThat(patient.succeeded()).isTrue();
  }

  @Test
  void withNoTimeLeftACallerIsRefusedAtOnceInsteadOfQueueing() {
    AsyncSemaphore semaphore = new AsyncSemaphore(vertx, 1);
    semaphore.acquire(10_000);

    assertThat(semaphore.acquire(0).cause()).isInstanceOf(TimeoutException.class);
    assertThat(semaphore.waiting()).isZero();
  }

  @Test
  void aReleasedPermitWithNobodyWaitingIsFreeAgain() {
    AsyncSemaphore semaphore = new AsyncSemaphore(vertx, 1);
    semaphore.acquire(10_000);
    semaphore.release();

    assertThat(semaphore.acquire(0).succeeded()).isTrue();
  }

  @Test
  void growingWakesWaitersAtOnceAndShrinkingWaitsForHeldPermitsToComeBack() {
    AsyncSemaphore semaphore = new AsyncSemaphore(vertx, 0);
    Future<Void> first = semaphore.acquire(10_000);
    Future<Void> second = semaphore.acquire(10_000);
    assertThat(first.isComplete()).isFalse();

    semaphore.resize(2);
    assertThat(first.succeeded()).isTrue();
    assertThat(second.succeeded()).isTrue();

    semaphore.resize(1);
    Future<Void> third = semaphore.acquire(10_000);
    semaphore.release();
    assertThat(third.isComplete()).as("one of two permits back: still at the new size of one").isFalse();
    semaphore.release();
    assertThat(third.succeeded()).isTrue();
  }
}
