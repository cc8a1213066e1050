package io.imagegen.worker.providers.dashscope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {
  @Test
  void theDefaultsStartAtOneSecondBackOffToFiveAndKeepTheDeploymentUnderTheAccountQueryLimit() {
    // 16 queries per second for the whole deployment (shared by owned partitions), under the account's 20.
    assertThat(DashScopeProvider.Options.defaults())
        .isEqualTo(new DashScopeProvider.Options(Duration.ofSeconds(1), Duration.ofSeconds(5), 16));
  }

  @Test
  void nonsensicalOptionsAreRefused() {
    assertThatIllegalArgumentException().isThrownBy(
        () -> new DashScopeProvider.Options(Duration.ZERO, Duration.ofSeconds(5), 10));
    assertThatIllegalArgumentException().isThrownBy(
        () -> new DashScopeProvider.Options(Duration.ofSeconds(2), Duration.ofSeconds(1), 10));
    assertThatIllegalArgumentException().isThrownBy(
        () -> new DashScopeProvider.Options(Duration.ofSeconds(1), Duration.ofSeconds(5), 0));
  }
}
