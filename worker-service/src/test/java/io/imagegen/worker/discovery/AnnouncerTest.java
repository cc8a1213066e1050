package io.imagegen.worker.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.json.Json;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.queue.WorkerAnnouncement;
import io.imagegen.common.testing.TestClock;
import io.imagegen.worker.providers.demo.DemoProvider;
import io.imagegen.worker.providers.ProviderContext;
import io.imagegen.worker.providers.Providers;
import io.imagegen.worker.providers.openai.OpenAiProvider;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnnouncerTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() {
    vertx.close().await();
  }

  @Test
  void aWorkerServesTheModelsWhoseProviderItHasAndWhoseKeyIsSet() {
    ProviderContext context = new ProviderContext(vertx, WebClient.create(vertx), null,
        Map.of("OPENAI_API_KEY", "sk-test"));
    Providers providers = new Providers(List.of(new DemoProvider(context, Duration.ZERO),
        new OpenAiProvider(context, OpenAiProvider.OPENAI)));

    List<String> models = Announcer.servable(ModelCatalog.load(ModelCatalog.WITH_DEMO), providers, context);

    assertThat(models).contains("demo", "demo-async", "gpt-image-1", "dall-e-3")
        // DashScope: no such provider here; the relay: neither key nor base URL.
        .doesNotContain("qwen-image-2.0", "kling-image-o1");
  }

  @Test
  void theWorkerAnnouncesItselfUntilItWithdrawsWithATombstone() {
    MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
        new ByteArraySerializer());
    TestClock clock = new TestClock();
    Announcer announcer = new Announcer(vertx, producer, "jobs.workers", "worker-1", List.of("demo"), clock);

    announcer.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> !producer.history().isEmpty());
    ProducerRecord<String, byte[]> first = producer.history().get(0);
    WorkerAnnouncement announced = Json.fromBytes(first.value(), WorkerAnnouncement.class);
    announcer.withdraw(Duration.ofSeconds(5));

    assertThat(first.topic()).isEqualTo("jobs.workers");
    assertThat(first.key()).isEqualTo("worker-1");
    assertThat(announced).isEqualTo(new WorkerAnnouncement("worker-1", List.of("demo"),
        clock.millis() + Announcer.TTL.toMillis()));
    ProducerRecord<String, byte[]> last = producer.history().get(producer.history().size() - 1);
    assertThat(last.key()).isEqualTo("worker-1");
    assertThat(last.value()).isNull();
    assertThat(producer.closed()).isTrue();
  }
}
