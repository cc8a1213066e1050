package io.imagegen.worker.providers.ark;

import static io.imagegen.worker.providers.ProviderFixtures.image;
import static io.imagegen.worker.providers.ProviderFixtures.unspooled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.tasks.Usage;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The answers the fake does not produce: partly refused sets, missing usage, proxy error pages. */
class ArkResponseTest {
  private static final UpstreamFailures FAILURES = UpstreamFailures.standard("ark");
  private static final String PNG_B64 = Base64.getEncoder().encodeToString(image("png", 8, 8));

  private static Buffer answer(JsonObject... items) {
    return new JsonObject().put("data", new JsonArray(java.util.List.of((Object[]) items))).toBuffer();
  }

  private static JsonObject refused(String code) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("message", "refused: " + code));
  }

  @Test
  void keepsTheImagesOfAPartlyRefusedSet() {
    ArkResponse.Parsed parsed = ArkResponse.parse(unspooled(answer(new JsonObject().put("b64_json", PNG_B64),
        refused("OutputImageSensitiveContentDetected"))), FAILURES);

    assertThat(parsed.items()).hasSize(1);
    assertThat(parsed.usage()).isEqualTo(Usage.images(1));
  }

  @Test
  void reportsAWhollyRefusedSetAsAContentPolicyViolation() {
    UpstreamException e = catchThrowableOfType(UpstreamException.class, () -> ArkResponse.parse(unspooled(
        answer(refused("OutputImageSensitiveContentDetected"), refused("OutputImageSensitiveContentDetected"))),
        FAILURES));

    assertThat(e.code()).isEqualTo("content_policy_violation");
  }

  @Test
  void reportsInputModerationAsAContentPolicyViolation() {
    Buffer body = new JsonObject().put("error", new JsonObject().put("code", "InputTextSensitiveContentDetected")
        .put("message", "The request failed because the input text may contain sensitive information.")
        .put("param", "").put("type", "BadRequest")).toBuffer();

    UpstreamException e = ArkResponse.error(400, body, null, FAILURES);

    assertThat(e.code()).isEqualTo("content_policy_violation");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void mapsAProxyErrorPageByItsStatus() {
    UpstreamException e = ArkResponse.error(502, Buffer.buffer("<html>502 Bad Gateway</html>"), null, FAILURES);

    assertThat(e.code()).isEqualTo("upstream_unavailable");
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void treatsInvalidBase64AsABadResponse() {
    UpstreamException e = catchThrowableOfType(UpstreamException.class,
        () -> ArkResponse.parse(unspooled(answer(new JsonObject().put("b64_json", "not base64!"))), FAILURES));

    assertThat(e.code()).isEqualTo("upstream_bad_response");
  }
}
