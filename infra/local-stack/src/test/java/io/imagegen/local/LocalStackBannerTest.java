package io.imagegen.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What run-local prints once the stack is up. */
class LocalStackBannerTest {
  @Test
  void aKeyTheUserConfiguredIsNeverPrinted() {
    String banner = LocalStackMain.banner("http://127.0.0.1:8080", true, "sk-local-dev", "127.0.0.1:9092",
        "http://127.0.0.1:9000", "http://127.0.0.1:9090");

    assertThat(banner).doesNotContain("sk-local-dev").contains("IMAGEGEN_API_KEYS")
        .contains("Authorization: Bearer $KEY");
  }

  @Test
  void withoutConfiguredKeysTheBuiltInDevelopmentKeyIsNamedAsSuch() {
    String banner = LocalStackMain.banner("http://127.0.0.1:8080", false, "sk-local-dev", "127.0.0.1:9092",
        "http://127.0.0.1:9000", "http://127.0.0.1:9090");

    assertThat(banner).contains("KEY='sk-local-dev'").contains("built-in development key");
  }
}
