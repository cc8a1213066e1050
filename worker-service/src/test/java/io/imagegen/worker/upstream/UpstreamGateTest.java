package io.imagegen.worker.upstream;

import io.imagegen.common.testing.TestClock;
import io.imagegen.common.errors.ErrorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.models.ProviderSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamGateTest {
  private final Vertx vertx = Vertx.vertx();
  private final TestClock clock = new TestClock();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  @AfterEach
  void closeVertx() {
    vertx.close().await();
  }

  private static ModelSpec model(String id, String provider, int maxInFlight, int perMinute) {
    return new ModelSpec(id, null, "author", id, provider, id, null, null, true,
        new ModelSpec.Limits(1, 100, List.of(), 64, 1024, 0), new ModelSpec.Defaults("64x64", "auto"), Map.of(),
        null, null, new ModelSpec.Concurrency(maxInFlight, perMinute), null);
  }

  private static ProviderSpec provider(int maxInFlight, int breakerWindow) {
    return new ProviderSpec(new ModelSpec.Concurrency(maxInFlight, 0), null,
        new ProviderSpec.CircuitBreaker(breakerWindow, 1.0, 0, Duration.ofSeconds(30), 1));
  }

  private UpstreamGate gate(List<ModelSpec> models, Map<String, ProviderSpec> providers) {
    return new UpstreamGate(vertx, ModelCatalog.of(models, providers), clock, metrics, ClusterShare.whole());
  }

  private Instant later() {
    return clock.instant().plus(Duration.ofMinutes(5));
  }

  @Test
  void aCallBeyondItsModelsLimitWaitsWithoutRunningAndStartsWhenOneFinishes() {
    ModelSpec model = model("m", "p", 1, 0);
    UpstreamGate gate = gate(List.of(model), Map.of());
    Promise<String> first = Promise.promise();
    AtomicInteger started = new AtomicInteger();

    gate.call(model, later(), () -> {
      started.incrementAndGet();
      return first.future();
    });
    Future<String> second = gate.call(model, later(), () -> {
      started.incrementAndGet();
      return Future.succeededFuture("second");
    });

    assertThat(started).hasValue(1);
    assertThat(second.isComplete()).isFalse();
    assertThat(metrics.get("imagegen.worker.upstream.waiting").tags("scope", "model", "name", "m").gauge().value())
        .isEqualTo(1);
    first.complete("first");
    await().atMost(Duration.ofSeconds(5)).until(second::isComplete);
    assertThat(second.result()).isEqualTo("second");
    assertThat(started).hasValue(2);
  }

  @Test
  void aProvidersLimitIsSharedByAllItsModels() {
    ModelSpec one = model("one", "p", 0, 0);
    ModelSpec two = model("two", "p", 0, 0);
    UpstreamGate gate = gate(List.of(one, two), Map.of("p", provider(1, 20)));
    Promise<String> running = Promise.promise();

    gate.call(one, later(), running::future);
    Future<String> other = gate.call(two, later(), () -> Future.succeededFuture("two"));

    assertThat(other.isComplete()).isFalse();
    running.complete("one");
    await().atMost(Duration.ofSeconds(5)).until(other::isComplete);
    assertThat(other.succeeded()).isTrue();
  }

  @Test
  void aFailedCallGivesItsSlotBack() {
    ModelSpec model = model("m", "p", 1, 0);
    UpstreamGate gate = gate(List.of(model), Map.of());

    gate.call(model, later(), () -> Future.failedFuture(new IllegalStateException("boom")));
    Future<String> next = gate.call(model, later(), () -> Future.succeededFuture("next"));

    await().atMost(Duration.ofSeconds(5)).until(next::isComplete);
    assertThat(next.result()).isEqualTo("next");
  }

  @Test
  void aCallStillWaitingForASlotAtTheDeadlineFailsAsANonRetryableTimeoutWithoutRunning() {
    ModelSpec model = model("m", "p", 1, 0);
    UpstreamGate gate = gate(List.of(model), Map.of());
    gate.call(model, later(), () -> Promise.<String>promise().future());
    AtomicInteger started = new AtomicInteger();

    Future<String> waiting = gate.call(model, clock.instant().plusMillis(100), () -> {
      started.incrementAndGet();
      return Future.succeededFuture("late");
    });

    await().atMost(Duration.ofSeconds(5)).until(waiting::isComplete);
    assertThat(waiting.cause()).isInstanceOfSatisfying(UpstreamException.class, e -> {
      assertThat(e.code()).isEqualTo("timeout");
      assertThat(e.retryable()).isFalse();
    });
    assertThat(started).hasValue(0);
  }

  @Test
  void aCallWhoseRateLimitTurnComesAfterTheDeadlineFailsAtOnce() {
    ModelSpec model = model("m", "p", 0, 6); // one start every ten seconds
    UpstreamGate gate = gate(List.of(model), Map.of());
    assertThat(gate.call(model, later(), () -> Future.succeededFuture("first")).succeeded()).isTrue();

    Future<String> second = gate.call(model, clock.instant().plusSeconds(1), () -> Future.succeededFuture("x"));

    assertThat(second.cause()).isInstanceOfSatisfying(UpstreamException.class,
        e -> assertThat(e.code()).isEqualTo("timeout"));
  }

  @Test
  void whenItsProvidersBreakerIsOpenACallFailsFastAsRetryableWithoutReachingTheVendor() {
    ModelSpec model = model("m", "p", 0, 0);
    UpstreamGate gate = gate(List.of(model), Map.of("p", provider(0, 2)));
    for (int i = 0; i < 2; i++) {
      gate.call(model, later(),
          () -> Future.failedFuture(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "503", null)));
    }
    clock.advance(Duration.ofSeconds(5));
    AtomicInteger started = new AtomicInteger();

    Future<String> refused = gate.call(model, later(), () -> {
      started.incrementAndGet();
      return Future.succeededFuture("x");
    });

    assertThat(started).hasValue(0);
    assertThat(refused.cause()).isInstanceOfSatisfying(UpstreamException.class, e -> {
      assertThat(e.code()).isEqualTo("upstream_circuit_open");
      assertThat(e.retryable()).isTrue();
      assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(25));
    });
    assertThat(metrics.get("imagegen.worker.circuit.breaker.state").tag("provider", "p").gauge().value())
        .as("open").isEqualTo(2);
    assertThat(metrics.get("imagegen.worker.circuit.breaker.rejections").tag("provider", "p").counter().count())
        .isEqualTo(1);
    assertThat(metrics.get("imagegen.worker.upstream.calls").tags("model", "m", "outcome", "vendor_failure")
        .timer().count()).isEqualTo(2);
  }

  @Test
  void refusalsAndRateLimitAnswersDoNotCountAgainstAProvider() {
    ModelSpec model = model("m", "p", 0, 0);
    UpstreamGate gate = gate(List.of(model), Map.of("p", provider(0, 2)));
    gate.call(model, later(), () -> Future.failedFuture(new UpstreamException(ErrorCode.CONTENT_POLICY_VIOLATION,
        "no", null)));
    gate.call(model, later(),
        () -> Future.failedFuture(new UpstreamException(ErrorCode.UPSTREAM_RATE_LIMITED, "429", null)));

    Future<String> next = gate.call(model, later(), () -> Future.succeededFuture("through"));

    assertThat(next.result()).isEqualTo("through");
    assertThat(metrics.get("imagegen.worker.circuit.breaker.state").tag("provider", "p").gauge().value())
        .as("closed").isZero();
    assertThat(metrics.get("imagegen.worker.upstream.calls").tags("model", "m", "outcome", "failure").timer()
        .count()).isEqualTo(2);
    assertThat(metrics.get("imagegen.worker.upstream.calls").tags("model", "m", "outcome", "success").timer()
        .count()).isEqualTo(1);
  }

  @Test
  void anotherProvidersOpenBreakerDoesNotAffectThisOne() {
    ModelSpec broken = model("broken", "dead", 0, 0);
    ModelSpec fine = model("fine", "alive", 0, 0);
    UpstreamGate gate = gate(List.of(broken, fine), Map.of("dead", provider(0, 1)));
    gate.call(broken, later(),
        () -> Future.failedFuture(new UpstreamException(ErrorCode.UPSTREAM_UNREACHABLE, "down", null)));

    assertThat(gate.call(broken, later(), () -> Future.succeededFuture("x")).failed()).isTrue();
    assertThat(gate.call(fine, later(), () -> Future.succeededFuture("ok")).result()).isEqualTo("ok");
  }
}
