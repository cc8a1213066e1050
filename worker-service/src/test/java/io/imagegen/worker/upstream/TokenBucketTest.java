package io.imagegen.worker.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  @Test
  void oneSecondsWorthOfCallsStartsAtOnceThenCallsAreSpacedByTheRate() {
    TokenBucket bucket = new TokenBucket(120, 0); // 2 per second, bucket of 2

    assertThat(bucket.reserve(0)).isZero();
    assertThat(bucket.reserve(0)).isZero();
    assertThat(bucket.reserve(0)).isEqualTo(500);
    assertThat(bucket.reserve(0)).isEqualTo(1000);
  }

  @Test
  void tokensComeBackWithTimeButNeverBeyondTheBucket() {
    TokenBucket bucket = new TokenBucket(120, 0);
    bucket.reserve(0);
    bucket.reserve(0);

    assertThat(bucket.reserve(500)).isZero();
    // An hour idle refills two tokens, not 7200.
    assertThat(bucket.reserve(3_600_000)).isZero();
    assertThat(bucket.reserve(3_600_000)).isZero();
    assertThat(bucket.reserve(3_600_000)).isEqualTo(500);
  }

  @Test
  void aSlowRateStillLetsOneCallThroughAndThenWaitsAWholeInterval() {
    TokenBucket bucket = new TokenBucket(6, 0); // one call every ten seconds

    assertThat(bucket.reserve(0)).isZero();
    assertThat(bucket.reserve(1_000)).isEqualTo(9_000);
  }

  @Test
  void aClockThatStepsBackDoesNotMintTokens() {
    TokenBucket bucket = new TokenBucket(60, 10_000);
    bucket.reserve(10_000);

    assertThat(bucket.reserve(5_000)).isEqualTo(1_000);
  }
}
