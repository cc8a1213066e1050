package io.imagegen.worker.providers.openai;

import static io.imagegen.worker.providers.ProviderFixtures.result;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.failure;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.generation;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.model;
import static io.imagegen.worker.providers.openai.OpenAiFixtures.withAttemptTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagegen.common.errors.ImageGenException;
import io.imagegen.common.models.ModelSpec;
import io.imagegen.fake.Behaviour;
import io.imagegen.fake.FakeUpstream;
import io.imagegen.worker.providers.Generation;
import io.imagegen.worker.providers.GenerationRequest;
import io.imagegen.worker.providers.VendorProviderTestBase;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where answers' images live: big ones in spool files rather than the heap, and no spool file outlives a failed call,
 * whether the body breaks off, stalls, is unusable, or a later step of the call fails. A scripted vendor plays the
 * answers the fake does not give.
 */
class OpenAiSpoolTest extends VendorProviderTestBase {
  private static final String BIG_B64 = Base64.getEncoder().encodeToString(new byte[3_000_000]);
  private static final AtomicReference<Handler<HttpServerRequest>> answer = new AtomicReference<>();
  private static HttpServer scripted;
  private static OpenAiProvider openai;

  @BeforeAll
  static void startScriptedVendor() {
    scripted = result(vertx.createHttpServer().requestHandler(req -> req.body()
        .onSuccess(ignored -> answer.get().handle(req))).listen(0, "127.0.0.1"));
    openai = new OpenAiProvider(context("OPENAI_API_KEY", FakeUpstream.API_KEY), "openai");
  }

  @AfterAll
  static void stopScriptedVendor() {
    scripted.close();
  }

  /** Each test checks the spool directory whole: the files earlier successes left are the tests' to delete. */
  @BeforeEach
  void emptySpool() throws IOException {
    for (Path file : spoolFiles()) {
      Files.delete(file);
    }
  }

  @Test
  void fourMegabyteImagesAreSpooledToDiskIntactAndOnlyTheirFilesAreLeft() throws IOException {
    fake.behave(Behaviour.normal().withImageBytes(4_000_000));

    Generation generation = result(openai.generate(request(model("gpt-image-1", fake.baseUrl()), 2)));

    assertThat(generation.images()).hasSize(2).allSatisfy(image -> {
      assertSpooledWhole(image, 4_000_000);
      assertThat(image.file().getParent()).isEqualTo(spool);
    });
    assertThat(spoolFiles()).containsExactlyInAnyOrderElementsOf(generation.spoolFiles());
  }

  @Test
  void aSpooledValueTheAnswerDoesNotUseIsDeletedOnSuccess() throws IOException {
    answer.set(req -> json(req.response(), 200, new JsonObject()
        .put("data", new JsonArray().add(new JsonObject().put("b64_json", png())))
        .put("debug", new JsonObject().put("b64_json", BIG_B64))));

    Generation generation = result(openai.generate(request(scriptedModel(), 1)));

    assertThat(spoolFiles()).containsExactlyElementsOf(generation.spoolFiles()).hasSize(1);
  }

  @Test
  void aBodyThatBreaksOffInsideAnImageLeavesNoSpoolFile() throws IOException {
    answer.set(req -> {
      HttpServerResponse res = req.response().setChunked(true).putHeader("Content-Type", "application/json");
      res.write("{\"data\":[{\"b64_json\":\"" + BIG_B64.substring(0, 1_000_000));
      vertx.setTimer(100, id -> req.connection().close());
    });

    ImageGenException error = failure(openai.generate(request(scriptedModel(), 1)));

    assertThat(error.code()).isEqualTo("upstream_unreachable");
    assertThat(error.retryable()).isTrue();
    assertThat(spoolFiles()).isEmpty();
  }

  @Test
  void aBodyThatStallsInsideAnImageTimesOutAndLeavesNoSpoolFile() throws IOException {
    answer.set(req -> req.response().setChunked(true).putHeader("Content-Type", "application/json")
        .write("{\"data\":[{\"b64_json\":\"" + BIG_B64.substring(0, 1_000_000)));
    ModelSpec impatient = withAttemptTimeout(scriptedModel(), Duration.ofMillis(500));

    ImageGenException error = failure(openai.generate(request(impatient, 1)));

    assertThat(error.code()).isEqualTo("upstream_timeout");
    assertThat(spoolFiles()).isEmpty();
  }

  @Test
  void anImageThatIsNotBase64IsABadResponseAndLeavesNoSpoolFile() throws IOException {
    answer.set(req -> json(req.response(), 200, new JsonObject().put("data", new JsonArray()
        .add(new JsonObject().put("b64_json", BIG_B64))
        .add(new JsonObject().put("b64_json", BIG_B64.substring(0, 500_000) + "!")))));

    ImageGenException error = failure(openai.generate(request(scriptedModel(), 2)));

    assertThat(error.code()).isEqualTo("upstream_bad_response");
    assertThat(error.getMessage()).contains("b64_json #1 is not base64");
    assertThat(spoolFiles()).isEmpty();
  }

  @Test
  void aLaterItemWithoutAnImageFailsTheCallAndTakesTheSpooledOnesWithIt() throws IOException {
    answer.set(req -> json(req.response(), 200, new JsonObject().put("data", new JsonArray()
        .add(new JsonObject().put("b64_json", png()))
        .add(new JsonObject().put("revised_prompt", "nothing")))));

    ImageGenException error = failure(openai.generate(request(scriptedModel(), 2)));

    assertThat(error.getMessage()).contains("data[1] has neither b64_json nor url");
    assertThat(spoolFiles()).isEmpty();
  }

  @Test
  void aFailedDownloadOfAUrlItemTakesTheSpooledImagesWithIt() throws IOException {
    answer.set(req -> {
      if (req.path().equals("/missing.png")) {
        req.response().setStatusCode(404).end();
        return;
      }
      json(req.response(), 200, new JsonObject().put("data", new JsonArray()
          .add(new JsonObject().put("b64_json", png()))
          .add(new JsonObject().put("url", "http://127.0.0.1:" + scripted.actualPort() + "/missing.png"))));
    });

    ImageGenException error = failure(openai.generate(request(scriptedModel(), 2)));

    assertThat(error.code()).isEqualTo("upstream_rejected");
    assertThat(spoolFiles()).isEmpty();
  }

  @Test
  void anErrorStatusIsReadFromTheBodyEvenWhenItCarriesAnImageField() throws IOException {
    answer.set(req -> json(req.response(), 429, new JsonObject()
        .put("error", new JsonObject().put("message", "slow down").put("code", "rate_limit_exceeded"))
        .put("b64_json", png())));

    ImageGenException error = failure(openai.generate(request(scriptedModel(), 1)));

    assertThat(error.code()).isEqualTo("upstream_rate_limited");
    assertThat(error.getMessage()).contains("slow down");
    assertThat(spoolFiles()).isEmpty();
  }

  private static GenerationRequest request(ModelSpec model, int n) {
    return generation(model, "a fox", "1024x1024", "low", n, Map.of());
  }

  private static ModelSpec scriptedModel() {
    return model("gpt-image-1", "http://127.0.0.1:" + scripted.actualPort());
  }

  private static String png() {
    return Base64.getEncoder().encodeToString(OpenAiFixtures.image("png", 8, 8));
  }

  private static void json(HttpServerResponse res, int status, JsonObject body) {
    res.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
