package io.imagegen.worker.upstream;

import io.imagegen.common.testing.TestClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.models.ProviderSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final TestClock clock = new TestClock();

  private CircuitBreaker breaker(int window, double ratio, int consecutive, int probes) {
    return new CircuitBreaker(new ProviderSpec.CircuitBreaker(window, ratio, consecutive, Duration.ofSeconds(30),
        probes), clock);
  }

  private static void calls(CircuitBreaker breaker, boolean... healthy) {
    for (boolean outcome : healthy) {
      breaker.record(breaker.admit(), outcome);
    }
  }

  @Test
  void itOpensOnceTheFailureRatioOfAFullWindowIsReached() {
    CircuitBreaker breaker = breaker(4, 0.75, 0, 1);

    calls(breaker, false, false, false);
    assertThat(breaker.state()).as("window not full yet").isEqualTo(CircuitBreaker.State.CLOSED);
    calls(breaker, true);
    assertThat(breaker.state()).as("3 of 4 failed").isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void theWindowSlidesSoOldFailuresAgeOut() {
    CircuitBreaker breaker = breaker(4, 0.75, 0, 1);

    calls(breaker, false, false, true, true, true, false);

    // The window now holds true, true, true, false: a quarter failed.
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    calls(breaker, false);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    calls(breaker, false);
    assertThat(breaker.state()).as("true, false, false, false").isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void consecutiveFailuresOpenItBeforeTheWindowIsFull() {
    CircuitBreaker breaker = breaker(100, 1.0, 3, 1);

    calls(breaker, false, false, true, false, false);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    calls(breaker, false);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void whileOpenItRefusesCallsAndSaysWhenToComeBack() {
    CircuitBreaker breaker = breaker(1, 1.0, 0, 1);
    calls(breaker, false);

    clock.advance(Duration.ofSeconds(10));

    assertThat(breaker.admit()).isNull();
    assertThat(breaker.retryAfter()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void afterTheOpenPeriodItLetsTheProbesThroughAndClosesWhenTheyAllSucceed() {
    CircuitBreaker breaker = breaker(1, 1.0, 0, 2);
    calls(breaker, false);
    clock.advance(Duration.ofSeconds(30));

    CircuitBreaker.Ticket first = breaker.admit();
    CircuitBreaker.Ticket second = breaker.admit();
    assertThat(first).isNotNull();
    assertThat(second).isNotNull();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.admit()).as("only two probes").isNull();
    assertThat(breaker.retryAfter()).isEqualTo(Duration.ofSeconds(30));

    breaker.record(first, true);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    breaker.record(second, true);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.admit()).isNotNull();
  }

  @Test
  void aFailedProbeOpensItForAnotherFullPeriod() {
    CircuitBreaker breaker = breaker(1, 1.0, 0, 1);
    calls(breaker, false);
    clock.advance(Duration.ofSeconds(31));

    breaker.record(breaker.admit(), false);

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    clock.advance(Duration.ofSeconds(29));
    assertThat(breaker.admit()).isNull();
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.admit()).isNotNull();
  }

  @Test
  void aSlowCallAdmittedBeforeTheBreakerOpenedCannotCloseIt() {
    CircuitBreaker breaker = breaker(2, 0.5, 0, 1);
    CircuitBreaker.Ticket slow = breaker.admit();
    calls(breaker, false, false);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    clock.advance(Duration.ofSeconds(30));
    assertThat(breaker.admit()).isNotNull();

    breaker.record(slow, true);

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
  }

  @Test
  void successesAfterClosingStartAFreshWindow() {
    CircuitBreaker breaker = breaker(2, 1.0, 0, 1);
    calls(breaker, false, false);
    clock.advance(Duration.ofSeconds(30));
    calls(breaker, true);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);

    calls(breaker, false);

    assertThat(breaker.state()).as("one failure in a fresh window of two").isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
