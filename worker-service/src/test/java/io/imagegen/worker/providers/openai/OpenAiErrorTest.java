package io.imagegen.worker.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Error bodies the fake upstream does not produce: other relays' shapes and OpenAI's quota answer. */
class OpenAiErrorTest {
  private final UpstreamFailures failures = UpstreamFailures.standard("openai-compatible");

  @Test
  void theOpenAiShapeIsReadFieldByField() {
    OpenAiError error = OpenAiError.parse(Buffer.buffer(
        "{\"error\":{\"message\":\"Invalid size\",\"type\":\"invalid_request_error\",\"param\":\"size\","
            + "\"code\":\"invalid_value\"}}"));

    assertThat(error).isEqualTo(new OpenAiError("Invalid size", "invalid_request_error", "invalid_value", "size"));
    UpstreamException mapped = error.toException(400, null, failures);
    assertThat(mapped.code()).isEqualTo("invalid_value");
    assertThat(mapped.retryable()).isFalse();
    assertThat(mapped.getMessage()).contains("Invalid size");
  }

  @Test
  void relayShapesStillYieldTheirMessage() {
    assertThat(OpenAiError.parse(Buffer.buffer("{\"error\":\"model not found\",\"code\":404}")).message())
        .isEqualTo("model not found");
    assertThat(OpenAiError.parse(Buffer.buffer("{\"message\":\"upstream overloaded\"}")).message())
        .isEqualTo("upstream overloaded");
  }

  @Test
  void aBodyThatIsNotJsonLeavesOnlyTheStatusToGoBy() {
    OpenAiError error = OpenAiError.parse(Buffer.buffer("<html>502 Bad Gateway</html>"));

    assertThat(error).isEqualTo(new OpenAiError(null, null, null, null));
    assertThat(error.toException(502, "3", failures).retryable()).isTrue();
    assertThat(OpenAiError.parse(null).toException(401, null, failures).code()).isEqualTo("upstream_auth_failed");
  }

  @Test
  void anExhaustedQuotaIsNotRetriedLikeARateLimit() {
    UpstreamException error = OpenAiError.parse(Buffer.buffer(
        "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\","
            + "\"param\":null,\"code\":\"insufficient_quota\"}}")).toException(429, "20", failures);

    assertThat(error.code()).isEqualTo("upstream_quota_exhausted");
    assertThat(error.retryable()).isFalse();
  }

  @Test
  void aContentPolicyCodeOnAnotherStatusIsLeftToTheStatus() {
    UpstreamException error = new OpenAiError("blocked", null, "content_policy_violation", null)
        .toException(500, null, failures);

    assertThat(error.retryable()).isTrue();
  }
}
