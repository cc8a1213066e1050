package io.imagegen.worker.providers.dashscope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class QueryLimiterTest {
  @Test
  void theFirstQueryNeedsNoWait() {
    QueryLimiter limiter = new QueryLimiter(10);

    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.claim()).isZero();
  }

  @Test
  void reservationsQueueOneSpacingApart() {
    QueryLimiter limiter = new QueryLimiter(10);

    long[] waits = {limiter.reserve(), limiter.reserve(), limiter.reserve(), limiter.reserve()};

    // Microseconds pass between the calls, so each wait may be a millisecond short of the exact slot.
    for (int i = 0; i < waits.length; i++) {
      assertThat(waits[i]).isBetween(Math.max(0, i * 100L - 1), i * 100L + 1);
    }
  }

  @Test
  void aClaimTooSoonAfterTheLastQueryIsToldToWaitTheRest() {
    QueryLimiter limiter = new QueryLimiter(4);
    assertThat(limiter.claim()).isZero();

    assertThat(limiter.claim()).isBetween(249L, 250L);
  }

  @Test
  void aLateQueryPushesLaterReservationsBack() {
    QueryLimiter limiter = new QueryLimiter(4);
    limiter.reserve(); // due now, but (as if its timer fired late) claimed only after other reservations
    limiter.claim();

    assertThat(limiter.reserve()).isBetween(249L, 250L);
  }

  @Test
  void aNegativeRateIsRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> new QueryLimiter(-1));
  }

  @Test
  void atRateZeroNoQueryGoesOutUntilTheRateIsRaised() {
    QueryLimiter limiter = new QueryLimiter(0);

    assertThat(limiter.reserve()).isEqualTo(1000L);
    assertThat(limiter.claim()).isEqualTo(1000L);
    limiter.rate(4);
    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.claim()).isZero();
  }
}
