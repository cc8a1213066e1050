package io.imagegen.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.config.Env;
import io.imagegen.common.fetch.LoopbackFlag;
import io.imagegen.common.testing.LogCapture;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The development flags are announced loudly when on and stay silent when off. */
class DevelopmentFlagsTest {
  private static String logOf(Runnable action) {
    try (LogCapture log = LogCapture.start()) {
      action.run();
      return log.text();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"IMAGEGEN_FETCH_ALLOW_PRIVATE_NETWORKS", "IMAGEGEN_WEBHOOK_ALLOW_PRIVATE_NETWORKS"})
  void aFlagThatIsOnIsAnnouncedWithAWarnNamingIt(String variable) {
    String log = logOf(() -> assertThat(LoopbackFlag.read(new Env(Map.of(variable, "true")), variable)).isTrue());

    assertThat(log).contains("WARN").contains("DEVELOPMENT ONLY").contains(variable).contains("loopback");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"IMAGEGEN_FETCH_ALLOW_PRIVATE_NETWORKS", "IMAGEGEN_WEBHOOK_ALLOW_PRIVATE_NETWORKS"})
  void aFlagThatIsOffIsSilent(String variable) {
    String log = logOf(() -> assertThat(LoopbackFlag.read(new Env(Map.of(variable, "false")), variable)).isFalse());

    assertThat(log).doesNotContain(variable);
  }
}
