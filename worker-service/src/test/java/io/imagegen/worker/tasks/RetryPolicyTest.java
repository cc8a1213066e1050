package io.imagegen.worker.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imagegen.common.config.ConfigException;
import io.imagegen.common.config.Env;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {
  private static final int SAMPLES = 2_000;

  private final RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1));

  @Test
  void anotherAttemptIsAllowedUntilMaxAttemptsHaveBeenMade() {
    assertThat(policy.allowsAnother(0)).isTrue();
    assertThat(policy.allowsAnother(1)).isTrue();
    assertThat(policy.allowsAnother(2)).isTrue();
    assertThat(policy.allowsAnother(3)).isFalse();
    assertThat(policy.allowsAnother(4)).isFalse();
  }

  @Test
  void aSingleAttemptPolicyNeverRetries() {
    RetryPolicy once = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    assertThat(once.allowsAnother(0)).isTrue();
    assertThat(once.allowsAnother(1)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
      "0, 100", // before the first retry the base is the initial backoff
      "1, 100",
      "2, 200",
      "3, 400",
      "4, 800",
      "5, 1000", // 1600 capped at maxBackoff
      "6, 1000",
      "40, 1000", // the shift is bounded, so very late attempts neither overflow nor go negative
      "2147483647, 1000"})
  void delaysGrowExponentiallyWithEqualJitterAndStayUnderTheCap(int attemptsMade, long cappedBaseMillis) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < SAMPLES; i++) {
      long delay = policy.delayAfter(attemptsMade).toMillis();
      min = Math.min(min, delay);
      max = Math.max(max, delay);
    }

    assertThat(min).isGreaterThanOrEqualTo(cappedBaseMillis / 2);
    assertThat(max).isLessThanOrEqualTo(cappedBaseMillis).isLessThanOrEqualTo(1000);
    // With 2,000 samples the jitter must actually spread over most of the upper half.
    assertThat(max - min).isGreaterThan(cappedBaseMillis / 4);
  }

  @Test
  void delaysAreJitteredSoRetriesDoNotFireInLockstep() {
    Set<Duration> distinct = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      distinct.add(policy.delayAfter(3));
    }

    assertThat(distinct).hasSizeGreaterThan(20);
  }

  @Test
  void theAverageDelayDoublesFromOneRetryToTheNext() {
    double first = meanDelayMillis(1);
    double second = meanDelayMillis(2);
    double third = meanDelayMillis(3);

    // Equal jitter averages 3/4 of the base: 75, 150, 300 ms.
    assertThat(first).isBetween(65.0, 85.0);
    assertThat(second).isBetween(130.0, 170.0);
    assertThat(third).isBetween(260.0, 340.0);
  }

  private double meanDelayMillis(int attemptsMade) {
    long total = 0;
    for (int i = 0; i < SAMPLES; i++) {
      total += policy.delayAfter(attemptsMade).toMillis();
    }
    return (double) total / SAMPLES;
  }

  @Test
  void delaysNeverExceedMaxBackoffEvenWithAHugeInitialBackoff() {
    RetryPolicy slow = new RetryPolicy(10, Duration.ofMinutes(10), Duration.ofMinutes(15));

    for (int attempts = 0; attempts < 30; attempts++) {
      for (int i = 0; i < 100; i++) {
        assertThat(slow.delayAfter(attempts))
            .isLessThanOrEqualTo(Duration.ofMinutes(15))
            .isGreaterThanOrEqualTo(Duration.ofMinutes(5));
      }
    }
  }

  @Test
  void aZeroBackoffMeansRetryImmediately() {
    RetryPolicy immediate = new RetryPolicy(5, Duration.ZERO, Duration.ZERO);

    for (int attempts = 0; attempts < 10; attempts++) {
      assertThat(immediate.delayAfter(attempts)).isZero();
    }
  }

  @Test
  void maxAttemptsMustBeAtLeastOne() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(2)))
        .withMessageContaining("maxAttempts");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new RetryPolicy(-1, Duration.ofMillis(1), Duration.ofMillis(2)));
  }

  @Test
  void maxBackoffMustNotBeBelowInitialBackoff() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .withMessageContaining("initialBackoff <= maxBackoff");
  }

  @Test
  void aNegativeInitialBackoffIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new RetryPolicy(3, Duration.ofMillis(-1), Duration.ofSeconds(1)));
  }

  @Test
  void equalInitialAndMaxBackoffIsAllowed() {
    RetryPolicy flat = new RetryPolicy(3, Duration.ofMillis(500), Duration.ofMillis(500));

    for (int attempts = 0; attempts < 5; attempts++) {
      assertThat(flat.delayAfter(attempts).toMillis()).isBetween(250L, 500L);
    }
  }

  @Test
  void aPolicyIsReadFromItsThreeVariablesWithDefaultsForTheUnsetOnes() {
    Env env = new Env(Map.of("IMAGEGEN_HOOK_MAX_ATTEMPTS", "5", "IMAGEGEN_HOOK_MAX_BACKOFF", "2m"));

    RetryPolicy read = RetryPolicy.from(env, "IMAGEGEN_HOOK", policy);
    env.validate();

    assertThat(read).isEqualTo(new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMinutes(2)));
  }

  @Test
  void aMaximumBackoffShorterThanTheInitialOneIsAConfigurationProblem() {
    Env env = new Env(Map.of("IMAGEGEN_HOOK_INITIAL_BACKOFF", "10s", "IMAGEGEN_HOOK_MAX_BACKOFF", "1s",
        "IMAGEGEN_HOOK_MAX_ATTEMPTS", "0"));

    RetryPolicy.from(env, "IMAGEGEN_HOOK", policy);

    assertThat(catchThrowableOfType(ConfigException.class, env::validate).problems()).containsExactly(
        "IMAGEGEN_HOOK_MAX_ATTEMPTS must be between 1 and 100, got 0",
        "IMAGEGEN_HOOK_MAX_BACKOFF must not be shorter than IMAGEGEN_HOOK_INITIAL_BACKOFF");
  }
}
