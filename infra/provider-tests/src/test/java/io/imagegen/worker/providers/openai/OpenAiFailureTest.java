package io.imagegen.worker.providers.openai;

import static io.imagegen.worker.providers.openai.OpenAiFixtures.failure;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.generation;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.model;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.withAttemptTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.storage.InMemoryObjectStore;
import io.imagegen.fake.Behaviour;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ProviderContext;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each way an upstream call fails, and whether the task may try again. */
class OpenAiFailureTest {
  private static FakeUpstream fake;
  private static Vertx vertx;
  private static WebClient web;
  private static OpenAiProvider openai;
  @TempDir
  static Path spool;

  @BeforeAll
  static void start() {
    fake = FakeUpstream.start(0);
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    openai = provider(FakeUpstream.API_KEY);
  }

  @AfterAll
  static void stop() {
    web.close();
    vertx.close();
    fake.close();
  }

  @BeforeEach
  void reset() {
    fake.reset();
  }

  @AfterEach
  void noFailureLeavesASpoolFileBehind() throws IOException {
    try (Stream<Path> left = Files.list(spool)) {
      assertThat(left).isEmpty();
    }
  }

  private static OpenAiProvider provider(String key) {
    return new OpenAiProvider(new ProviderContext(vertx, web, new InMemoryObjectStore(), Map.of("OPENAI_API_KEY", key),
        spool), "openai");
  }

  private static GenerationRequest request(ModelSpec model) {
    return generation(model, "a fox", "1024x1024", model.defaults().quality(), 1, Map.of());
  }

  private static UpstreamException failureOf(String modelId) {
    return upstreamFailure(openai, model(modelId, fake.baseUrl()));
  }

  private static UpstreamException upstreamFailure(OpenAiProvider provider, ModelSpec model) {
    ImageGenException error = failure(provider.generate(request(model)));
    assertThat(error).isInstanceOf(UpstreamException.class);
    return (UpstreamException) error;
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-image-1", "dall-e-3"})
  void aContentPolicyRefusalFailsForGood(String modelId) {
    fake.behave(Behaviour.normal().withContentPolicy(true));

    UpstreamException error = failureOf(modelId);

    assertThat(error.code()).isEqualTo("content_policy_violation");
    assertThat(error.retryable()).isFalse();
    assertThat(error.getMessage()).contains("safety system");
  }

  @Test
  void aRejectedKeyIsAnOperatorProblemNotWorthRetrying() {
    UpstreamException error = upstreamFailure(provider("wrong-key"), model("gpt-image-1", fake.baseUrl()));

    assertThat(error.code()).isEqualTo("upstream_auth_failed");
    assertThat(error.retryable()).isFalse();
    assertThat(error.getMessage()).contains("401", "Incorrect API key");
  }

  @Test
  void aRateLimitIsRetriedAfterTheVendorsRetryAfter() {
    fake.behave(Behaviour.normal().withFailStatus(429).withRetryAfterSeconds(7));

    UpstreamException error = failureOf("gpt-image-1");

    assertThat(error.code()).isEqualTo("upstream_rate_limited");
    assertThat(error.retryable()).isTrue();
    assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503})
  void aServerErrorIsRetryable(int status) {
    fake.behave(Behaviour.normal().withFailStatus(status));

    UpstreamException error = failureOf("dall-e-3");

    assertThat(error.code()).isEqualTo(status == 503 ? "upstream_overloaded" : status == 504 ? "upstream_timeout" : "upstream_unavailable");
    assertThat(error.retryable()).isTrue();
    assertThat(error.getMessage()).contains(Integer.toString(status));
  }

  @Test
  void aPlainBadRequestIsRejectedForGood() {
    fake.behave(Behaviour.normal().withFailStatus(400));

    UpstreamException error = failureOf("gpt-image-1");

    assertThat(error.code()).isEqualTo("upstream_rejected");
    assertThat(error.retryable()).isFalse();
  }

  @Test
  void truncatedJsonIsABadResponse() {
    fake.behave(Behaviour.normal().withMalformedBody(true));

    assertBadResponse(failureOf("gpt-image-1"), "malformed JSON");
  }

  @Test
  void anHtmlPageInsteadOfJsonIsABadResponse() {
    fake.behave(Behaviour.normal().withWrongContentType(true));

    assertBadResponse(failureOf("gpt-image-1"), "text/html");
  }

  @Test
  void anAnswerWithoutImagesIsABadResponse() {
    fake.behave(Behaviour.normal().withEmptyData(true));

    assertBadResponse(failureOf("dall-e-3"), "no images");
  }

  private static void assertBadResponse(UpstreamException error, String detail) {
    assertThat(error.code()).isEqualTo("upstream_bad_response");
    assertThat(error.retryable()).isFalse();
    assertThat(error.getMessage()).contains(detail);
  }

  @Test
  void aVendorThatNeverAnswersTimesOutRetryably() {
    fake.behave(Behaviour.normal().withHang(true));
    ModelSpec impatient = withAttemptTimeout(model("gpt-image-1", fake.baseUrl()), Duration.ofMillis(300));

    long started = System.nanoTime();
    UpstreamException error = upstreamFailure(openai, impatient);

    assertThat(error.code()).isEqualTo("upstream_timeout");
    assertThat(error.retryable()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aRefusedConnectionIsRetryable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    UpstreamException error = upstreamFailure(openai, model("dall-e-2", "http://127.0.0.1:" + closedPort));

    assertThat(error.code()).isEqualTo("upstream_unreachable");
    assertThat(error.retryable()).isTrue();
  }
}
