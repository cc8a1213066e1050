package io.imagegen.worker.providers.dashscope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.imagegen.common.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QueryLimiterTest {
  /** Time stands still between calls unless a test advances it, so every wait is exact. */
  private final TestClock clock = new TestClock();

  private QueryLimiter limiter(int perSecond) {
    return new QueryLimiter(perSecond, () -> {
      Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    });
  }

  @Test
  void theFirstQueryNeedsNoWait() {
    QueryLimiter limiter = limiter(10);

    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.claim()).isZero();
  }

  @Test
  void reservationsQueueOneSpacingApart() {
    QueryLimiter limiter = limiter(10);

    long[] waits = {limiter.reserve(), limiter.reserve(), limiter.reserve(), limiter.reserve()};

    assertThat(waits).containsExactly(0L, 100L, 200L, 300L);
  }

  @Test
  void aClaimTooSoonAfterTheLastQueryIsToldToWaitTheRest() {
    QueryLimiter limiter = limiter(4);
    assertThat(limiter.claim()).isZero();
    clock.advance(Duration.ofMillis(100));

    assertThat(limiter.claim()).isEqualTo(150L);
  }

  @Test
  void aClaimAFullSpacingAfterTheLastQueryGoesAtOnce() {
    QueryLimiter limiter = limiter(4);
    assertThat(limiter.claim()).isZero();
    clock.advance(Duration.ofMillis(250));

    assertThat(limiter.claim()).isZero();
  }

  @Test
  void aLateQueryPushesLaterReservationsBack() {
    QueryLimiter limiter = limiter(4);
    limiter.reserve(); // due now
    clock.advance(Duration.ofMillis(100)); // its timer fired late
    limiter.claim();

    assertThat(limiter.reserve()).isEqualTo(250L);
  }

  @Test
  void aNegativeRateIsRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> limiter(-1));
  }

  @Test
  void atRateZeroNoQueryGoesOutUntilTheRateIsRaised() {
    QueryLimiter limiter = limiter(0);

    assertThat(limiter.reserve()).isEqualTo(1000L);
    assertThat(limiter.claim()).isEqualTo(1000L);
    limiter.rate(4);
    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.claim()).isZero();
  }
}
