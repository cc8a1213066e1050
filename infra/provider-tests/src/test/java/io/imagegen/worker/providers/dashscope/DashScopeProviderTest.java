package io.imagegen.worker.providers.dashscope;

import static io.imagegen.worker.providers.dashscope.Fixtures.failure;
import static io.imagegen.worker.providers.dashscope.Fixtures.result;
import static io.imagegen.worker.providers.dashscope.Fixtures.task;
import static io.imagegen.worker.providers.ProviderFixtures.bytesOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.errors.UpstreamException;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.tasks.Task;
import io.imagegen.fake.Behaviour;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.fake.RecordedRequest;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.ProviderFixtures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The adapter against the fake DashScope over real HTTP; every wait is a timer, so small options keep it fast. */
class DashScopeProviderTest {
  private static final DashScopeProvider.Options FAST =
      new DashScopeProvider.Options(Duration.ofMillis(50), Duration.ofMillis(200), 20);
  private static final String SUBMIT = "/api/v1/services/aigc/text2image/image-synthesis";
  private static final String TASKS = "/api/v1/tasks/";

  private static FakeUpstream fake;
  private static Vertx vertx;
  private static WebClient web;
  private static ModelSpec qwen;
  private static ModelSpec wan;

  private DashScopeProvider provider;

  @BeforeAll
  static void startUpstream() {
    // Outcomes here arrive within milliseconds; Awaitility's default 100 ms poll would dominate the run time.
    Awaitility.setDefaultPollDelay(Duration.ZERO);
    Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
    fake = FakeUpstream.start(0);
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    qwen = Fixtures.model("wan2.2-t2i-flash", fake.baseUrl());
    wan = Fixtures.model("wan2.2-t2i-flash", fake.baseUrl());
  }

  @AfterAll
  static void stopUpstream() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    fake.close();
    Awaitility.reset();
  }

  @BeforeEach
  void freshUpstream() {
    fake.reset();
    provider = provider(FAST, FakeUpstream.API_KEY);
  }

  @AfterEach
  void noPollLoopOutlivesItsTask() {
    await().atMost(Duration.ofSeconds(5)).until(() -> provider.activePolls() == 0);
  }

  @Test
  void aTaskIsSubmittedPolledThroughPendingAndRunningAndItsImageDownloaded() throws IOException {
    fake.behave(Behaviour.normal().withLatency(Duration.ofMillis(1200)));
    Map<String, Object> params = Map.of("seed", 42L, "watermark", false, "negative_prompt", "blurry",
        "prompt_extend", false);

    Generation generation = result(generate(qwen, task(qwen, "a red fox in the snow", "1328x1328", 1, params)));

    List<RecordedRequest> requests = fake.requests();
    RecordedRequest submit = requests.get(0);
    assertThat(submit.method()).isEqualTo("POST");
    assertThat(submit.path()).isEqualTo(SUBMIT);
    assertThat(submit.header("Authorization")).isEqualTo("Bearer fake-key");
    assertThat(submit.header("X-DashScope-Async")).isEqualTo("enable");
    assertThat(submit.header("Content-Type")).startsWith("application/json");
    assertThat(submit.json()).isEqualTo(new JsonObject()
        .put("model", "wan2.2-t2i-flash")
        .put("input", new JsonObject().put("prompt", "a red fox in the snow").put("negative_prompt", "blurry"))
        .put("parameters", new JsonObject().put("size", "1328*1328").put("n", 1).put("seed", 42)
            .put("watermark", false).put("prompt_extend", false)));

    List<RecordedRequest> polls = requests.stream().filter(r -> r.path().startsWith(TASKS)).toList();
    assertThat(polls).isNotEmpty().allSatisfy(poll -> {
      assertThat(poll.method()).isEqualTo("GET");
      assertThat(poll.header("Authorization")).isEqualTo("Bearer fake-key");
      assertThat(poll.path()).isEqualTo(polls.get(0).path());
    });
    // The fake derives a task's state from its age: PENDING for the first third of the latency, then RUNNING.
    // Wide margins, since the first exchange of a fresh JVM can take a couple of hundred milliseconds.
    List<Long> ages = polls.stream().map(p -> millisBetween(submit.receivedAt(), p.receivedAt())).toList();
    assertThat(ages).anyMatch(age -> age < 350).anyMatch(age -> age > 450 && age < 1150);
    assertThat(ages.get(ages.size() - 1)).isGreaterThanOrEqualTo(1200);
    // Backing off: never closer than the first interval, and few polls for a 1.2 s task.
    for (int i = 1; i < ages.size(); i++) {
      assertThat(ages.get(i) - ages.get(i - 1)).isGreaterThanOrEqualTo(45);
    }
    assertThat(polls).hasSizeLessThanOrEqualTo(10);

    RecordedRequest download = requests.get(requests.size() - 1);
    assertThat(download.path()).startsWith("/files/");
    assertThat(download.header("Authorization")).as("our key must not go to the storage URL").isNull();

    assertThat(generation.images()).hasSize(1);
    Generation.Image image = generation.images().get(0);
    assertThat(image.contentType()).isEqualTo("image/png");
    assertThat(image.revisedPrompt()).isNull(); // prompt_extend was off, so there is no rewritten prompt
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(bytesOf(image)));
    assertThat(decoded).isNotNull();
    assertThat(decoded.getWidth()).isEqualTo(1328);
    assertThat(decoded.getHeight()).isEqualTo(1328);
    assertThat(generation.usage().generatedImages()).isEqualTo(1);
  }

  @Test
  void everyImageOfAMultiImageTaskIsDownloadedWithTheVendorsRewrittenPrompt() {
    Generation generation = result(generate(wan, task(wan, "a paper boat", "1024x768", 3, Map.of())));

    JsonObject sent = fake.requests().get(0).json();
    assertThat(sent.getString("model")).isEqualTo("wan2.2-t2i-flash");
    assertThat(sent.getJsonObject("input").fieldNames()).containsExactly("prompt");
    assertThat(sent.getJsonObject("parameters").getMap()).containsOnly(Map.entry("size", "1024*768"),
        Map.entry("n", 3));
    assertThat(generation.images()).hasSize(3).allSatisfy(image -> {
      assertThat(bytesOf(image)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
      assertThat(image.revisedPrompt()).startsWith("a paper boat, ");
    });
    assertThat(fake.requests()).filteredOn(r -> r.path().startsWith("/files/")).hasSize(3);
    assertThat(generation.usage().generatedImages()).isEqualTo(3);
  }

  @Test
  void aResultUrlOnACloudMetadataAddressIsRefusedAsABadResponse() {
    fake.behave(Behaviour.normal().withResultUrlBase("http://169.254.169.254"));

    UpstreamException error = failure(generate(wan, task(wan, "a paper boat", "1024x768", 1, Map.of())));

    assertThat(error.code()).isEqualTo("upstream_bad_response");
    assertThat(error.retryable()).isFalse();
  }

  @Test
  void aResultUrlServingAnHtmlPageInsteadOfAnImageFailsAsABadResponse() {
    fake.behave(Behaviour.normal().withResultNotImage(true));

    UpstreamException error = failure(generate(wan, task(wan, "a paper boat", "1024x768", 2, Map.of())));

    assertThat(error.code()).isEqualTo("upstream_bad_response");
    assertThat(error.getMessage()).contains("not a PNG, JPEG, WebP or GIF image");
  }

  @Test
  void aTaskRefusedByModerationFailsAsAContentPolicyViolation() {
    fake.behave(Behaviour.normal().withContentPolicy(true));

    UpstreamException error = failure(generate(qwen, task(qwen, "something forbidden", "1328x1328", 1, Map.of())));

    assertThat(error.code()).isEqualTo("content_policy_violation");
    assertThat(error.retryable()).isFalse();
    assertThat(error.getMessage()).contains("inappropriate content");
  }

  @Test
  void aTaskThatFailsUpstreamFailsForGoodUnderTheVendorsCode() {
    fake.behave(Behaviour.normal().withTaskFailCode("InvalidParameter"));

    UpstreamException error = failure(generate(qwen, task(qwen, "a cat", "1328x1328", 1, Map.of())));

    assertThat(error.code()).isEqualTo("InvalidParameter");
    assertThat(error.retryable()).isFalse();
    assertThat(error.getMessage()).contains("dashscope task failed");
  }

  @Test
  void aTaskTheVendorNoLongerKnowsIsWorthRetrying() {
    fake.behave(Behaviour.normal().withLatency(Duration.ofSeconds(10)));
    Future<Generation> generation = generate(qwen, task(qwen, "a cat", "1328x1328", 1, Map.of()));
    awaitFirstPoll(fake); // by then the task surely exists upstream

    fake.reset(); // forgets every task, as an expired one is forgotten

    UpstreamException error = failure(generation);
    assertThat(error.code()).isEqualTo("upstream_task_lost");
    assertThat(error.retryable()).isTrue();
  }

  @Test
  void aRejectedKeyFailsAsAnAuthenticationProblemWithoutPolling() {
    provider = provider(FAST, "wrong-key");

    UpstreamException error = failure(generate(qwen, task(qwen, "a cat", "1328x1328", 1, Map.of())));

    assertThat(error.code()).isEqualTo("upstream_auth_failed");
    assertThat(error.retryable()).isFalse();
    assertThat(fake.requests()).hasSize(1);
  }

  @Test
  void aThrottledSubmitIsRetryableAfterTheVendorsDelay() {
    fake.behave(Behaviour.normal().withFailStatus(429).withRetryAfterSeconds(7));

    UpstreamException error = failure(generate(qwen, task(qwen, "a cat", "1328x1328", 1, Map.of())));

    assertThat(error.code()).isEqualTo("upstream_rate_limited");
    assertThat(error.retryable()).isTrue();
    assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 503})
  void aServerErrorOnSubmitIsRetryable(int status) {
    fake.behave(Behaviour.normal().withFailStatus(status));

    UpstreamException error = failure(generate(qwen, task(qwen, "a cat", "1328x1328", 1, Map.of())));

    assertThat(error.code()).isEqualTo(status == 503 ? "upstream_overloaded" : status == 504 ? "upstream_timeout" : "upstream_unavailable");
    assertThat(error.retryable()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"truncated JSON", "an HTML page"})
  void anUnreadableSubmitAnswerIsABadResponse(String answer) {
    fake.behave(answer.startsWith("truncated") ? Behaviour.normal().withMalformedBody(true)
        : Behaviour.normal().withWrongContentType(true));

    UpstreamException error = failure(generate(qwen, task(qwen, "a cat", "1328x1328", 1, Map.of())));

    assertThat(error.code()).isEqualTo("upstream_bad_response");
    assertThat(error.retryable()).isFalse();
    assertThat(fake.requests()).hasSize(1);
  }

  @Test
  void aMissingKeyFailsAsModelNotConfiguredWithoutCallingTheVendor() {
    provider = new DashScopeProvider(new ProviderContext(vertx, web, null, Map.of()), FAST);

    UpstreamException error = failure(generate(qwen, task(qwen, "a cat", "1328x1328", 1, Map.of())));

    assertThat(error.code()).isEqualTo("model_not_configured");
    assertThat(error.retryable()).isFalse();
    assertThat(fake.requests()).isEmpty();
  }

  @Test
  void tasksSurviveTheVendorThrottlingTheirPolls() {
    fake.behave(Behaviour.normal().withLatency(Duration.ofMillis(100)).withDashscopeQueryQps(2));

    List<Future<Generation>> generations = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      generations.add(generate(qwen, task(qwen, "a cat " + i, "1328x1328", 1, Map.of())));
    }

    assertThat(generations).allSatisfy(g -> assertThat(result(g).images()).hasSize(1));
    // More than two queries inside one second means the fake answered some of them 429.
    assertThat(mostQueriesInOneSecond(pollTimes())).isGreaterThan(2);
  }

  @Test
  void pollsOfAllTasksTogetherStayWithinTheConfiguredQueryRate() {
    int qps = 4;
    provider = provider(new DashScopeProvider.Options(Duration.ofMillis(50), Duration.ofMillis(200), qps),
        FakeUpstream.API_KEY);
    fake.behave(Behaviour.normal().withLatency(Duration.ofMillis(1200)));

    List<Future<Generation>> generations = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      generations.add(generate(qwen, task(qwen, "a dog " + i, "1328x1328", 1, Map.of())));
    }

    assertThat(generations).allSatisfy(g -> assertThat(result(g).images()).hasSize(1));
    List<Instant> polls = pollTimes();
    // Unthrottled, three tasks at these intervals would query about 15 times a second.
    assertThat(polls).hasSizeGreaterThan(qps);
    // The limiter sends queries at least 250 ms apart. Arrival times also carry the scheduling jitter of a busy
    // machine, which does not add up over a run: the average rate is checked closely, any one second with 10 %.
    long span = millisBetween(polls.get(0), polls.get(polls.size() - 1));
    assertThat((polls.size() - 1) * 1000L / qps).isLessThanOrEqualTo(span + 50);
    for (int i = qps; i < polls.size(); i++) {
      assertThat(millisBetween(polls.get(i - qps), polls.get(i))).isGreaterThanOrEqualTo(900);
    }
  }

  @Test
  void aFewUnreadablePollAnswersDoNotFailTheTask() {
    fake.behave(Behaviour.normal().withLatency(Duration.ofMillis(800)));
    Future<Generation> generation = generate(qwen, task(qwen, "a cat", "1328x1328", 1, Map.of()));
    awaitFirstPoll(fake);

    fake.behave(Behaviour.normal().withMalformedBody(true));
    int before = pollTimes().size();
    await().atMost(Duration.ofSeconds(5)).until(() -> pollTimes().size() >= before + 2);
    fake.behave(Behaviour.normal());

    assertThat(result(generation).images()).hasSize(1);
  }

  @Test
  void pollAnswersThatStayUnreadableFailTheTaskAsABadResponse() {
    fake.behave(Behaviour.normal().withLatency(Duration.ofSeconds(10)));
    Future<Generation> generation = generate(qwen, task(qwen, "a cat", "1328x1328", 1, Map.of()));
    awaitFirstPoll(fake); // so that the submit answer itself was still readable
    fake.behave(Behaviour.normal().withMalformedBody(true));

    UpstreamException error = failure(generation);

    assertThat(error.code()).isEqualTo("upstream_bad_response");
    assertThat(pollTimes()).hasSizeGreaterThanOrEqualTo(PollLoop.MAX_CONSECUTIVE_ERRORS);
  }

  @Test
  void anUpstreamThatDisappearsMidTaskFailsRetryablyAfterRepeatedPollErrors() {
    FakeUpstream doomed = FakeUpstream.start(0);
    ModelSpec model = Fixtures.model("wan2.2-t2i-flash", doomed.baseUrl());
    // A task bound to fail renders no images, so closing the fake interrupts no image encoding.
    doomed.behave(Behaviour.normal().withLatency(Duration.ofSeconds(10)).withTaskFailCode("NeverReached"));
    Future<Generation> generation = generate(model, task(model, "a cat", "1328x1328", 1, Map.of()));
    awaitFirstPoll(doomed);

    doomed.close();

    UpstreamException error = failure(generation);
    assertThat(error.code()).isEqualTo("upstream_unreachable");
    assertThat(error.retryable()).isTrue();
  }

  @Test
  void pollingStopsOnceTheAttemptsTimeIsUp() {
    fake.behave(Behaviour.normal().withLatency(Duration.ofSeconds(30)));
    ModelSpec impatient = ProviderFixtures.repointed(qwen, fake.baseUrl(), Duration.ofMillis(300));

    UpstreamException error = failure(generate(impatient, task(impatient, "a cat", "1328x1328", 1, Map.of())));

    assertThat(error.code()).isEqualTo("upstream_timeout");
    assertThat(error.retryable()).isTrue();
    assertThat(provider.activePolls()).isZero();
    int polls = pollTimes().size();
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> pollTimes().size() == polls);
  }

  private DashScopeProvider provider(DashScopeProvider.Options options, String key) {
    return new DashScopeProvider(new ProviderContext(vertx, web, null /* no ObjectStore needed for generations */,
        Map.of("DASHSCOPE_API_KEY", key)), options);
  }

  private Future<Generation> generate(ModelSpec model, Task task) {
    return provider.generate(new GenerationRequest(task, model, 1));
  }

  private static void awaitFirstPoll(FakeUpstream upstream) {
    await().atMost(Duration.ofSeconds(5)).until(() -> upstream.requests().stream()
        .anyMatch(r -> r.path().startsWith(TASKS)));
  }

  private static List<Instant> pollTimes() {
    return fake.requests().stream().filter(r -> r.path().startsWith(TASKS)).map(RecordedRequest::receivedAt)
        .sorted().toList();
  }

  private static int mostQueriesInOneSecond(List<Instant> times) {
    int most = 0;
    for (int i = 0, j = 0; j < times.size(); j++) {
      while (millisBetween(times.get(i), times.get(j)) >= 1000) {
        i++;
      }
      most = Math.max(most, j - i + 1);
    }
    return most;
  }

  private static long millisBetween(Instant from, Instant to) {
    return Duration.between(from, to).toMillis();
  }
}
