package io.imagegen.worker.providers.dashscope;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.worker.providers.UpstreamFailures;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of task answers, including shapes the fake upstream does not produce (failed sub-images). */
class TaskAnswerTest {
  private static final UpstreamFailures FAILURES = UpstreamFailures.standard("dashscope");

  @Test
  void aSucceededAnswerListsGoodAndFailedImagesWithTheBilledCount() {
    TaskAnswer answer = TaskAnswer.parse(Buffer.buffer("""
        {"request_id": "r-1",
         "output": {"task_id": "t-1", "task_status": "SUCCEEDED",
           "results": [
             {"orig_prompt": "a cat", "actual_prompt": "a fluffy cat", "url": "https://oss.example/1.png"},
             {"code": "DataInspectionFailed", "message": "Output data may contain inappropriate content."}]},
         "usage": {"image_count": 1}}"""));

    assertThat(answer.taskId()).isEqualTo("t-1");
    assertThat(answer.status()).isEqualTo("SUCCEEDED");
    assertThat(answer.imageCount()).isEqualTo(1);
    assertThat(answer.results()).extracting(TaskAnswer.Result::succeeded).containsExactly(true, false);
    assertThat(answer.results().get(0).actualPrompt()).isEqualTo("a fluffy cat");
    assertThat(answer.results().get(1).code()).isEqualTo("DataInspectionFailed");
  }

  @Test
  void aFailedAnswerCarriesTheVendorsCodeAndMessage() {
    TaskAnswer answer = TaskAnswer.parse(Buffer.buffer("""
        {"output": {"task_id": "t-2", "task_status": "FAILED", "code": "InvalidParameter", "message": "bad size"}}
        """));

    assertThat(answer.code()).isEqualTo("InvalidParameter");
    assertThat(answer.message()).isEqualTo("bad size");
    assertThat(answer.results()).isEmpty();
    assertThat(answer.imageCount()).isNull();
  }

  @Test
  void anythingWithoutAnOutputObjectIsNoAnswer() {
    assertThat(TaskAnswer.parse(Buffer.buffer("{\"output\": {\"task_id\": \"t"))).isNull();
    assertThat(TaskAnswer.parse(Buffer.buffer("<html>502 Bad Gateway</html>"))).isNull();
    assertThat(TaskAnswer.parse(Buffer.buffer("[1, 2]"))).isNull();
    assertThat(TaskAnswer.parse(Buffer.buffer("{\"output\": \"SUCCEEDED\"}"))).isNull();
    assertThat(TaskAnswer.parse(Buffer.buffer(""))).isNull();
  }

  @Test
  void whenEveryImageFailedModerationIsTheReasonGiven() {
    UpstreamException error = DashScopeErrors.allFailed(FAILURES, List.of(
        new TaskAnswer.Result(null, null, "InternalError.Algo", "algorithm error"),
        new TaskAnswer.Result(null, null, "DataInspectionFailed", "inappropriate content")));

    assertThat(error.code()).isEqualTo("content_policy_violation");
    assertThat(error.retryable()).isFalse();
  }

  @Test
  void whenEveryImageFailedOtherwiseTheFirstCodeIsFinal() {
    UpstreamException error = DashScopeErrors.allFailed(FAILURES, List.of(
        new TaskAnswer.Result(null, null, "InternalError.Algo", "algorithm error")));

    assertThat(error.code()).isEqualTo("InternalError.Algo");
    assertThat(error.retryable()).isFalse();
    assertThat(error.getMessage()).contains("algorithm error");
  }

  @Test
  void anErrorCodeInASuccessfulSubmitAnswerIsJudgedByWhatItMeans() {
    UpstreamException throttled = DashScopeErrors.fromCodeOnly(FAILURES, "Throttling.RateQuota", "slow down", "3");
    UpstreamException moderated = DashScopeErrors.fromCodeOnly(FAILURES, "DataInspectionFailed", "no", null);
    UpstreamException arrears = DashScopeErrors.fromCodeOnly(FAILURES, "Arrearage", "account overdue", null);

    assertThat(throttled.code()).isEqualTo("upstream_rate_limited");
    assertThat(throttled.retryable()).isTrue();
    assertThat(throttled.retryAfter()).hasSeconds(3);
    assertThat(moderated.code()).isEqualTo("content_policy_violation");
    assertThat(arrears.code()).isEqualTo("Arrearage");
    assertThat(arrears.retryable()).isFalse();
  }
}
