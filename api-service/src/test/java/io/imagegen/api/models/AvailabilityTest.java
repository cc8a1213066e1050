package io.imagegen.api.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.queue.WorkerAnnouncement;
import io.imagegen.common.testing.TestClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AvailabilityTest {
  private static final Duration GRACE = Duration.ofSeconds(15);
  private final TestClock clock = new TestClock();
  private final Availability availability = new Availability(clock, GRACE);

  private Availability.Update announce(String worker, Duration ttl, String... models) {
    return new Availability.Update(worker, new WorkerAnnouncement(worker, List.of(models),
        clock.millis() + ttl.toMillis()));
  }

  private void pastGrace() {
    clock.advance(GRACE);
  }

  @Test
  void everyModelIsUnknownUntilTheTopicIsReadToItsEnd() {
    pastGrace();
    availability.apply(List.of(announce("w1", Duration.ofSeconds(30), "demo")), false);

    assertThat(availability.state("demo")).isEqualTo(Availability.State.UNKNOWN);
    assertThat(availability.state("gpt-image-1")).isEqualTo(Availability.State.UNKNOWN);

    availability.apply(List.of(), true);
    assertThat(availability.state("demo")).isEqualTo(Availability.State.AVAILABLE);
  }

  @Test
  void everyModelIsUnknownDuringTheStartUpGrace() {
    availability.apply(List.of(announce("w1", Duration.ofMinutes(1), "demo")), true);

    assertThat(availability.state("gpt-image-1")).isEqualTo(Availability.State.UNKNOWN);
    clock.advance(GRACE.minusMillis(1));
    assertThat(availability.state("gpt-image-1")).isEqualTo(Availability.State.UNKNOWN);
    clock.advance(Duration.ofMillis(1));
    assertThat(availability.state("gpt-image-1")).isEqualTo(Availability.State.UNAVAILABLE);
  }

  @Test
  void aModelIsAvailableWhenAnyLiveWorkerAnnouncedIt() {
    pastGrace();
    availability.apply(List.of(announce("w1", Duration.ofSeconds(30), "demo"),
        announce("w2", Duration.ofSeconds(30), "demo", "gpt-image-1")), true);

    assertThat(availability.state("demo")).isEqualTo(Availability.State.AVAILABLE);
    assertThat(availability.state("gpt-image-1")).isEqualTo(Availability.State.AVAILABLE);
    assertThat(availability.state("dall-e-3")).isEqualTo(Availability.State.UNAVAILABLE);
  }

  @Test
  void aLaterAnnouncementOfTheSameWorkerReplacesItsModels() {
    pastGrace();
    availability.apply(List.of(announce("w1", Duration.ofSeconds(30), "demo", "gpt-image-1"),
        announce("w1", Duration.ofSeconds(30), "demo")), true);

    assertThat(availability.state("gpt-image-1")).isEqualTo(Availability.State.UNAVAILABLE);
  }

  @Test
  void anExpiredAnnouncementNoLongerCountsAndNoLiveWorkerMeansUnknown() {
    pastGrace();
    availability.apply(List.of(announce("w1", Duration.ofSeconds(30), "demo"),
        announce("w2", Duration.ofSeconds(10), "gpt-image-1")), true);
    assertThat(availability.state("gpt-image-1")).isEqualTo(Availability.State.AVAILABLE);

    clock.advance(Duration.ofSeconds(10));
    assertThat(availability.state("gpt-image-1")).isEqualTo(Availability.State.UNAVAILABLE);

    clock.advance(Duration.ofSeconds(20));
    assertThat(availability.state("demo")).isEqualTo(Availability.State.UNKNOWN);
    assertThat(availability.state("gpt-image-1")).isEqualTo(Availability.State.UNKNOWN);
  }

  @Test
  void aTombstoneWithdrawsTheWorkerAtOnce() {
    pastGrace();
    availability.apply(List.of(announce("w1", Duration.ofSeconds(30), "demo"),
        announce("w2", Duration.ofSeconds(30), "demo", "gpt-image-1")), true);

    availability.apply(List.of(new Availability.Update("w2", null)), false);

    assertThat(availability.state("gpt-image-1")).isEqualTo(Availability.State.UNAVAILABLE);
    availability.apply(List.of(new Availability.Update("w1", null)), false);
    assertThat(availability.state("demo")).isEqualTo(Availability.State.UNKNOWN);
  }

  @Test
  void theDirectoryMarksModelsHidesUnavailableOnesAndRefusesSubmitsToThem() {
    ModelDirectory directory = new ModelDirectory(ModelCatalog.load(ModelCatalog.WITH_DEMO), availability, false);
    pastGrace();
    availability.apply(List.of(announce("w1", Duration.ofSeconds(30), "demo")), true);

    JsonObject gpt = model(directory.imageModels(), "gpt-image-1");
    assertThat(gpt.getBoolean("available")).isFalse();
    assertThat(gpt.getString("unavailable_reason"))
        .isEqualTo("no worker has an API key for provider openai (OPENAI_API_KEY)");
    assertThat(model(directory.imageModels(), "demo").getBoolean("available")).isTrue();
    assertThat(model(directory.imageModels(), "demo").containsKey("unavailable_reason")).isFalse();
    assertThat(model(directory.imageModels(), "kling-image-o1").getString("unavailable_reason"))
        .isEqualTo("no worker has an API key and base URL for provider openai-compatible "
            + "(IMAGEGEN_RELAY_API_KEY, IMAGEGEN_RELAY_BASE_URL)");
    assertThat(ids(directory.openAiList())).contains("demo").doesNotContain("gpt-image-1");
    assertThat(ids(new ModelDirectory(ModelCatalog.load(ModelCatalog.WITH_DEMO), availability, true).openAiList()))
        .contains("demo", "gpt-image-1");
    assertThatThrownBy(() -> directory.requireAvailable("gpt-image-1"))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_AVAILABLE.code());
          assertThat(e.param()).isEqualTo("model");
          assertThat(e.getMessage()).contains("gpt-image-1", "OPENAI_API_KEY");
        });
    directory.requireAvailable("demo");
  }

  @Test
  void whileAvailabilityIsUnknownModelsAreListedAsNullAndSubmitsAreAccepted() {
    ModelDirectory directory = new ModelDirectory(ModelCatalog.load(ModelCatalog.WITH_DEMO), availability, false);

    JsonObject gpt = model(directory.imageModels(), "gpt-image-1");
    assertThat(gpt.containsKey("available")).isTrue();
    assertThat(gpt.getValue("available")).isNull();
    assertThat(gpt.containsKey("unavailable_reason")).isFalse();
    assertThat(ids(directory.openAiList())).contains("gpt-image-1");
    directory.requireAvailable("gpt-image-1");
  }

  private static JsonObject model(JsonObject list, String id) {
    return list.getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(model -> model.getString("id").equals(id)).findFirst().orElseThrow();
  }

  private static List<String> ids(JsonObject list) {
    return list.getJsonArray("data").stream().map(JsonObject.class::cast).map(model -> model.getString("id"))
        .toList();
  }
}
