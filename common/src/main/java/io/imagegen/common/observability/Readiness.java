package io.imagegen.common.observability;

import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.storage.ObjectStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether a service should get traffic (docs/operations.md#health): not while draining, and only when Kafka answers a
 * metadata request and the bucket a HeadBucket, each within {@link #TIMEOUT}. A verdict is reused for
 * {@link #CACHE_FOR}, so a storm of probes costs the broker and the store one check each.
 */
public final class Readiness implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  static final Duration CACHE_FOR = Duration.ofSeconds(2);

  private final Admin admin;
  private final ObjectStore objects;
  private final BooleanSupplier extra;
  private final AtomicBoolean draining = new AtomicBoolean();
  private Future<Boolean> last;
  private long checkedAt;

  /** {@code extra} is one more condition (the worker's: it consumes); {@code () -> true} for none. */
  public Readiness(KafkaSettings kafka, String clientId, ObjectStore objects, BooleanSupplier extra) {
    this.admin = Admin.create(kafka.baseClientProperties(clientId + "-readiness"));
    this.objects = objects;
    this.extra = extra;
  }

  /** From now on not ready, whatever the dependencies say: the service is shutting down. */
  public void drain() {
    draining.set(true);
  }

  public boolean draining() {
    return draining.get();
  }

  /** True when ready; never fails. */
  public synchronized Future<Boolean> check() {
    if (draining.get() || !extra.getAsBoolean()) {
      return Future.succeededFuture(false);
    }
    long now = System.nanoTime();
    if (last == null || (last.isComplete() && now - checkedAt > CACHE_FOR.toNanos())) {
      checkedAt = now;
      last = Future.join(kafka(), objects.checkBucket().timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
          .map(true).otherwise(false);
    }
    return last.map(ready -> ready && !draining.get());
  }

  private Future<Void> kafka() {
    Promise<Void> answered = Promise.promise();
    admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis())).nodes()
        .whenComplete((nodes, error) -> {
          if (error == null && !nodes.isEmpty()) {
            answered.tryComplete();
          } else {
            answered.tryFail(error == null ? new IllegalStateException("no brokers") : error);
          }
        });
    return answered.future();
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
