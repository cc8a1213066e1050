package io.imagegen.bench;

import io.imagegen.common.config.Env;
import io.imagegen.common.json.Json;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.storage.BucketLayout;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.S3Settings;
import io.imagegen.common.storage.Versioned;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskIds;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The floor the submit path is compared with: a bare Vert.x HTTP server that reads the body, produces a record of
 * the same size as a real job (same key and value shape) with the same durability (idempotent, acks=all, same
 * linger) to the same broker, and answers 200 once the broker acknowledged it. No validation, no S3, no task record.
 * A GET answers a fixed body (a real task's answer, for the poll baseline) straight from memory: no auth, no lookup.
 * The storing variant first writes the task record ({@code PUT tasks/{id}.json}, {@code If-None-Match: *}) to the
 * same S3 server, as the durable-before-answering design requires: the floor for a submit on this box's storage.
 */
final class BaselineServer implements AutoCloseable {
  private static final String TOPIC_PREFIX = "bench.baseline.";
  private static final byte[] ANSWER = "{\"status\":\"QUEUED\"}".getBytes();

  private final Vertx vertx;
  private final KafkaProducer<String, byte[]> producer;
  private final HttpServer server;
  private final ObjectStore store;

  private BaselineServer(Vertx vertx, KafkaProducer<String, byte[]> producer, HttpServer server, ObjectStore store) {
    this.vertx = vertx;
    this.producer = producer;
    this.server = server;
    this.store = store;
  }

  static BaselineServer start(String bootstrapServers) throws Exception {
    return start(bootstrapServers, io.vertx.core.buffer.Buffer.buffer(ANSWER), null);
  }

  /** The same server, writing each job's task record first, to the store {@code env}'s {@code IMAGEGEN_S3_*} name. */
  static BaselineServer storing(String bootstrapServers, Map<String, String> env) throws Exception {
    return start(bootstrapServers, io.vertx.core.buffer.Buffer.buffer(ANSWER), env);
  }

  /** The same server, answering every GET with {@code getAnswer}. */
  static BaselineServer start(String bootstrapServers, io.vertx.core.buffer.Buffer getAnswer) throws Exception {
    return start(bootstrapServers, getAnswer, null);
  }

  /** {@code storeEnv}: the services' environment, whose {@code IMAGEGEN_S3_*} name the store; null for none. */
  private static BaselineServer start(String bootstrapServers, io.vertx.core.buffer.Buffer getAnswer,
      Map<String, String> storeEnv) throws Exception {
    // A topic per server: quick mode shares one broker between scenarios, and each may start a baseline.
    String topic = TOPIC_PREFIX + TaskIds.next(Instant.now());
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      admin.createTopics(List.of(new NewTopic(topic, 12, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.CLIENT_ID_CONFIG, "bench-baseline",
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 2),
        new StringSerializer(), new ByteArraySerializer());
    // Fetch metadata now so send() never blocks the event loop for it, and write once to every partition, one at a
    // time: a fresh partition has no producer state on the broker, and an idempotent producer whose first batch
    // there is retried behind a later one retries it forever on OUT_OF_ORDER_SEQUENCE_NUMBER (docs/performance.md#targets), which
    // stalled the baseline for minutes in some runs.
    for (var partition : producer.partitionsFor(topic)) {
      producer.send(new ProducerRecord<>(topic, partition.partition(), "warm-up", new byte[0]))
          .get(30, TimeUnit.SECONDS);
    }
    Vertx vertx = Vertx.vertx();
    ObjectStore store = storeEnv == null ? null : ObjectStore.s3(vertx, S3Settings.from(new Env(storeEnv)));
    HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      if (request.method() == io.vertx.core.http.HttpMethod.GET) {
        request.response().putHeader("Content-Type", "application/json").end(getAnswer);
        return;
      }
      Context context = vertx.getOrCreateContext();
      String id = TaskIds.next(Instant.now());
      JobMessage job = job(id);
      byte[] value = Json.toBytes(job);
      if (store != null) {
        store.put(BucketLayout.task(id), Json.toBytes(job.task()), "application/json", ObjectStore.Condition.ABSENT)
            .onSuccess(etag -> produce(producer, topic, id, value, request, context))
            .onFailure(err -> request.response().setStatusCode(503).end());
        return;
      }
      produce(producer, topic, id, value, request, context);
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return new BaselineServer(vertx, producer, server, store);
  }

  private static void produce(KafkaProducer<String, byte[]> producer, String topic, String id, byte[] value,
      io.vertx.core.http.HttpServerRequest request, Context context) {
      producer.send(new ProducerRecord<>(topic, id, value), (metadata, error) -> context.runOnContext(ignored -> {
        if (error == null) {
          request.response().setStatusCode(200).putHeader("Content-Type", "application/json")
              .end(io.vertx.core.buffer.Buffer.buffer(ANSWER));
        } else {
          request.response().setStatusCode(503).end();
        }
      }));
  }

  /** A job as the api-service produces it, carrying its task record (docs/performance.md#storage-calls). */
  static JobMessage job(String id) {
    Task task = Task.queued(id, "bench-owner", java.time.Instant.now(), java.time.Duration.ofHours(24), "demo-async",
        "bench submit 00000000", "64x64", "auto", 1, "generation", Map.of("response_format", "url"));
    return JobMessage.carrying(new Versioned<>(task, "\"0123456789abcdef0123456789abcdef\""),
        System.currentTimeMillis());
  }

  int port() {
    return server.actualPort();
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    producer.close();
    if (store != null) {
      store.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
