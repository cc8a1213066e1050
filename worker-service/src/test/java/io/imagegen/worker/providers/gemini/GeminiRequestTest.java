package io.imagegen.worker.providers.gemini;

import static io.imagegen.worker.providers.gemini.GeminiFixtures.NANO_BANANA;
import static io.imagegen.worker.providers.gemini.GeminiFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How size, quality and ratio become Gemini's imageConfig. */
class GeminiRequestTest {

  @ParameterizedTest(name = "{0} at quality {1} -> {2}, {3}")
  @CsvSource(nullValues = "-", value = {
      "1024x1024, auto, 1:1,  1K",
      "2048x2048, auto, 1:1,  2K",
      "4096x4096, auto, 1:1,  4K",
      "1024x1024, 4K,   1:1,  4K",
      "4096x4096, 1k,   1:1,  1K",
      "1920x1080, auto, 16:9, 2K",
      "1000x1500, -,    2:3,  2K",
      "1344x768,  auto, -,    2K",
      "2560x1080, auto, -,    4K"})
  void derivesTheRatioAndPresetFromSizeAndQuality(String size, String quality, String ratio, String preset) {
    JsonObject config = GeminiRequest.imageConfig(task("p", size, quality, 1, "generation", Map.of()), NANO_BANANA);

    assertThat(config.getString("aspectRatio")).isEqualTo(ratio);
    assertThat(config.getString("imageSize")).isEqualTo(preset);
  }

  @Test
  void prefersTheClientsRatioToTheSizesOwn() {
    JsonObject config = GeminiRequest.imageConfig(task("p", "1024x1024", "auto", 1, "generation",
        Map.of("ratio", "21:9")), NANO_BANANA);

    assertThat(config).isEqualTo(new JsonObject().put("aspectRatio", "21:9").put("imageSize", "1K"));
  }

  @Test
  void leavesBothOutWhenNothingDeterminesThem() {
    JsonObject config = GeminiRequest.imageConfig(task("p", null, "auto", 1, "generation", Map.of()), NANO_BANANA);

    assertThat(config).isEqualTo(new JsonObject());
  }
}
