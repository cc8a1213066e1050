package io.imagegen.worker.providers.gemini;

import static io.imagegen.worker.providers.ProviderFixtures.bytesOf;
import static io.imagegen.worker.providers.ProviderFixtures.image;
import static io.imagegen.worker.providers.ProviderFixtures.unspooled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The answers the fake does not produce: prompt blocks, thought drafts, text-only stops, RetryInfo hints. */
class GeminiResponseTest {
  private static final UpstreamFailures FAILURES = UpstreamFailures.standard("gemini");
  private static final byte[] PNG = image("png", 8, 8);
  private static final byte[] JPEG = image("jpg", 8, 8);

  private static JsonObject inline(byte[] bytes, String mimeType) {
    return new JsonObject().put("inlineData", new JsonObject().put("mimeType", mimeType)
        .put("data", Base64.getEncoder().encodeToString(bytes)));
  }

  private static Buffer candidate(String finishReason, JsonObject... parts) {
    return new JsonObject().put("candidates", new JsonArray().add(new JsonObject()
        .put("content", new JsonObject().put("role", "model").put("parts", new JsonArray(java.util.List.of(
            (Object[]) parts))))
        .put("finishReason", finishReason))).toBuffer();
  }

  private static UpstreamException parseFailure(Buffer body) {
    return catchThrowableOfType(UpstreamException.class, () -> GeminiResponse.parse(unspooled(body), FAILURES));
  }

  @Test
  void reportsABlockedPromptAsAContentPolicyViolation() {
    Buffer body = new JsonObject().put("promptFeedback", new JsonObject().put("blockReason", "PROHIBITED_CONTENT"))
        .put("usageMetadata", new JsonObject().put("promptTokenCount", 9).put("totalTokenCount", 9)).toBuffer();

    UpstreamException e = parseFailure(body);

    assertThat(e.code()).isEqualTo("content_policy_violation");
    assertThat(e.getMessage()).contains("PROHIBITED_CONTENT");
  }

  @Test
  void skipsThoughtDraftsAndKeepsTheFinalImage() {
    JsonObject draft = inline(PNG, "image/png").put("thought", true);

    GeminiResponse.Parsed parsed = GeminiResponse.parse(unspooled(candidate("STOP",
        new JsonObject().put("text", "Sure!"), draft, inline(JPEG, "image/jpeg"))), FAILURES);

    assertThat(parsed.images()).singleElement().satisfies(image -> {
      assertThat(bytesOf(image)).isEqualTo(JPEG);
      assertThat(image.contentType()).isEqualTo("image/jpeg");
      assertThat(image.revisedPrompt()).isNull();
    });
    assertThat(parsed.usage().generatedImages()).isEqualTo(1);
    assertThat(parsed.usage().totalTokens()).isNull();
  }

  @Test
  void labelsAnImageByItsBytesWhenTheMimeTypeIsMissing() {
    JsonObject unlabelled = new JsonObject().put("inlineData", new JsonObject()
        .put("data", Base64.getEncoder().encodeToString(PNG)));

    assertThat(GeminiResponse.parse(unspooled(candidate("STOP", unlabelled)), FAILURES).images().get(0)
        .contentType())
        .isEqualTo("image/png");
  }

  @Test
  void treatsATextOnlyAnswerAsABadResponse() {
    UpstreamException e = parseFailure(candidate("STOP", new JsonObject().put("text", "I can't draw that.")));

    assertThat(e.code()).isEqualTo("upstream_bad_response");
    assertThat(e.getMessage()).contains("no image in response").doesNotContain("I can't draw that");
  }

  @Test
  void namesAnUnusualFinishReasonWhenNoImageCame() {
    UpstreamException e = parseFailure(candidate("MAX_TOKENS"));

    assertThat(e.code()).isEqualTo("upstream_bad_response");
    assertThat(e.getMessage()).contains("MAX_TOKENS");
  }

  @Test
  void keepsAnImageEvenWhenTheFinishReasonIsASafetyOne() {
    assertThat(GeminiResponse.parse(unspooled(candidate("IMAGE_SAFETY", inline(PNG, "image/png"))), FAILURES)
        .images())
        .hasSize(1);
  }

  @Test
  void takesTheBackOffFromRetryInfoWhenThereIsNoRetryAfterHeader() {
    Buffer body = new JsonObject().put("error", new JsonObject().put("code", 429)
        .put("message", "You exceeded your current quota.").put("status", "RESOURCE_EXHAUSTED")
        .put("details", new JsonArray().add(new JsonObject()
            .put("@type", "type.googleapis.com/google.rpc.RetryInfo").put("retryDelay", "36.2s")))).toBuffer();

    UpstreamException e = GeminiResponse.error(429, body, null, FAILURES);

    assertThat(e.retryable()).isTrue();
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(37));
  }

  @Test
  void recognisesAnInvalidKeyFromTheMessageAlone() {
    Buffer body = new JsonObject().put("error", new JsonObject().put("code", 400)
        .put("message", "API key not valid. Please pass a valid API key.").put("status", "INVALID_ARGUMENT"))
        .toBuffer();

    UpstreamException e = GeminiResponse.error(400, body, null, FAILURES);

    assertThat(e.code()).isEqualTo("upstream_auth_failed");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void treatsAPermissionDeniedAsAnOperatorProblem() {
    Buffer body = new JsonObject().put("error", new JsonObject().put("code", 403)
        .put("message", "Permission denied").put("status", "PERMISSION_DENIED")).toBuffer();

    assertThat(GeminiResponse.error(403, body, null, FAILURES).code()).isEqualTo("upstream_auth_failed");
  }
}
