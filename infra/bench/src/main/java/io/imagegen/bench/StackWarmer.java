package io.imagegen.bench;

import io.imagegen.common.config.Env;
import io.imagegen.common.storage.ObjectStore;
import io.imagegen.common.storage.S3Settings;
import io.imagegen.local.LocalStack;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Warms a fresh stack's S3 server and broker (both new JVMs, so cold) with the operations the services use, on a
 * bucket and topic of its own, as fast as they go with 32 outstanding. Measured on a fresh S3Proxy, PUTs ran about
 * eight times faster after 15 s of load than in the first five. The last half also serves as a calibration: the S3
 * operations per second this machine manages, which bounds every figure that touches storage.
 */
final class StackWarmer {
  private static final int CONCURRENCY = 32;
  /** The last stack's rate over the second half of its warm-up (S3 operations per second, 2 PUT : 1 GET). */
  static volatile double lastS3OpsPerSecond = Double.NaN;

  private StackWarmer() {
  }

  static void warm(LocalStack stack, double seconds) throws Exception {
    Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.put("IMAGEGEN_S3_BUCKET", "bench-warmup");
    Vertx vertx = Vertx.vertx();
    ObjectStore store = ObjectStore.s3(vertx, S3Settings.from(new Env(env)));
    String bootstrap = stack.kafka().bootstrapServers();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
            // Not idempotent: a cold broker answered this producer OUT_OF_ORDER_SEQUENCE_NUMBER for minutes right
            // after the topic was created, and a warm-up needs the load, not exactly-once records.
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.LINGER_MS_CONFIG, 2,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
            new StringSerializer(), new ByteArraySerializer())) {
      admin.createTopics(List.of(new NewTopic("bench.warmup", 12, (short) 1))).all().get(30, TimeUnit.SECONDS);
      store.ensureBucket().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      long start = System.nanoTime();
      long half = start + (long) (seconds / 2 * 1e9);
      long end = start + (long) (seconds * 1e9);
      AtomicLong sequence = new AtomicLong();
      AtomicLong secondHalfOps = new AtomicLong();
      CountDownLatch done = new CountDownLatch(CONCURRENCY);
      byte[] body = new byte[700];
      for (int i = 0; i < CONCURRENCY; i++) {
        vertx.runOnContext(ignored -> cycle(store, producer, body, sequence, secondHalfOps, half, end, done));
      }
      if (!done.await((long) seconds + 60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("warming the stack did not finish");
      }
      lastS3OpsPerSecond = secondHalfOps.get() / ((end - half) / 1e9);
      Log.info("  warmed S3 and Kafka for %.0f s: %.0f S3 ops/s at the end (2 PUT : 1 GET, %d outstanding)", seconds,
          lastS3OpsPerSecond, CONCURRENCY);
    } finally {
      store.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Create a record, read it, overwrite it, and produce a record; then again. */
  private static void cycle(ObjectStore store, KafkaProducer<String, byte[]> producer, byte[] body,
      AtomicLong sequence, AtomicLong secondHalfOps, long half, long end, CountDownLatch done) {
    if (System.nanoTime() >= end) {
      done.countDown();
      return;
    }
    String key = "warm/" + sequence.incrementAndGet();
    producer.send(new ProducerRecord<>("bench.warmup", key, body));
    store.put(key, body, "application/json", ObjectStore.Condition.ABSENT)
        .compose(etag -> store.get(key))
        .compose(found -> store.put(key, body, "image/png", ObjectStore.Condition.NONE))
        .onComplete(outcome -> {
          if (outcome.succeeded() && System.nanoTime() >= half) {
            secondHalfOps.addAndGet(3);
          }
          cycle(store, producer, body, sequence, secondHalfOps, half, end, done);
        });
  }
}
