package io.imagegen.worker.providers.openai;

import static io.imagegen.worker.providers.openai.OpenAiFixtures.generation;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.model;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.withPassthrough;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The per-family field rules, without a server. */
class RequestFieldsTest {
  private static Task task(ModelSpec model, String quality, Map<String, Object> params) {
    return generation(model, "a fox", "1024x1024", quality, 1, params).task();
  }

  @ParameterizedTest
  @CsvSource({
      "gpt-image-1, GPT_IMAGE",
      "openai/gpt-image-1, GPT_IMAGE",
      "GPT-IMAGE-1-MINI, GPT_IMAGE",
      "dall-e-3, DALL_E_3",
      "dall-e-2, DALL_E_2",
      "kling-image-o1, OTHER",
      "glm-image, OTHER"})
  void theFamilyFollowsTheUpstreamModelName(String upstreamModel, ModelFamily family) {
    assertThat(ModelFamily.of(upstreamModel)).isEqualTo(family);
  }

  @Test
  void autoQualityIsLeftOutForEveryModelButGptImage() {
    assertThat(RequestFields.of(task(model("dall-e-2"), "auto", Map.of()), model("dall-e-2"), false, false))
        .doesNotContainKey("quality");
    assertThat(RequestFields.of(task(model("glm-image"), "auto", Map.of()), model("glm-image"), true, false))
        .doesNotContainKey("quality");
    assertThat(RequestFields.of(task(model("gpt-image-1"), "auto", Map.of()), model("gpt-image-1"), false, false))
        .containsEntry("quality", "auto");
  }

  @Test
  void aPassthroughEntryNeverOverridesACoreField() {
    ModelSpec kling = withPassthrough(model("kling-image-o1"), List.of("model", "negative_prompt"));

    Map<String, Object> fields = RequestFields.of(task(kling, "auto", Map.of("model", "something-else",
        "negative_prompt", "blurry")), kling, true, false);

    assertThat(fields).containsEntry("model", "kling-image-o1").containsEntry("negative_prompt", "blurry");
  }

  @Test
  void structuredValuesBecomeJsonInMultipartAttributes() {
    assertThat(RequestFields.asText(Map.of("zoom", 2))).isEqualTo("{\"zoom\":2}");
    assertThat(RequestFields.asText(List.of(1, 2))).isEqualTo("[1,2]");
    assertThat(RequestFields.asText(80L)).isEqualTo("80");
    assertThat(RequestFields.asText(false)).isEqualTo("false");
  }
}
