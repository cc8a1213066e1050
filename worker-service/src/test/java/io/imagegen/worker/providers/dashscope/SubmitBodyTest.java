package io.imagegen.worker.providers.dashscope;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.models.ModelSpec;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubmitBodyTest {
  private final ModelSpec wan = Fixtures.model("wan2.2-t2i-flash", null);

  @Test
  void sizesAreWrittenTheDashScopeWay() {
    JsonObject body = SubmitBody.of(Fixtures.task(wan, "a boat", "1024x768", 2, Map.of()), wan);

    assertThat(body.getJsonObject("parameters").getString("size")).isEqualTo("1024*768");
    assertThat(body.getJsonObject("parameters").getInteger("n")).isEqualTo(2);
  }

  @Test
  void optionalFieldsAreLeftOutSoThatVendorDefaultsApply() {
    JsonObject body = SubmitBody.of(Fixtures.task(wan, "a boat", "1024x1024", 1, Map.of()), wan);

    assertThat(body.getJsonObject("input").fieldNames()).containsExactly("prompt");
    assertThat(body.getJsonObject("parameters").fieldNames()).containsExactlyInAnyOrder("size", "n");
  }

  @Test
  void passthroughValuesAreForwardedUntouched() {
    JsonObject body = SubmitBody.of(Fixtures.task(wan, "a boat", "1024x1024", 1,
        Map.of("negative_prompt", "blur, text", "prompt_extend", true, "seed", 7, "watermark", true)), wan);

    assertThat(body.getJsonObject("input").getString("negative_prompt")).isEqualTo("blur, text");
    assertThat(body.getJsonObject("parameters").getMap()).containsEntry("prompt_extend", true)
        .containsEntry("seed", 7L).containsEntry("watermark", true);
    assertThat(List.copyOf(body.fieldNames())).containsExactly("model", "input", "parameters");
  }
}
