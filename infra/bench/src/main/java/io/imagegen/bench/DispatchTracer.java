package io.imagegen.bench;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Times one task's two visible transitions by polling its GET every {@code pollMillis}: QUEUED to RUNNING right after
 * it was accepted, then RUNNING to SUCCEEDED from just before the model can have finished. A transition is placed at
 * the midpoint between sending the last GET that still showed the old status and receiving the first that showed the
 * new one (the record was read somewhere in between), so each estimate is good to about half of (poll interval + GET
 * latency). The worker starts the model right after it wrote RUNNING, so
 * <pre>
 *   dispatch overhead = t(SUCCEEDED visible) - t(RUNNING visible) - L
 * </pre>
 * is the time from the model finishing to the result being visible (render, image upload, task write, GET),
 * excluding the queueing before the job started; {@code pickup} = t(RUNNING visible) - accepted is that queueing.
 * Runs on the load generator's event loop; histograms in microseconds.
 */
final class DispatchTracer {
  private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(60);

  static final class Stats {
    final Histogram overhead = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
    final Histogram pickup = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
    final Histogram endToEnd = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
    long started;
    long finished;
    long failed;
    long negative;
    long unbracketed;
    long polls;
  }

  private final Vertx vertx;
  private final BenchApi api;
  private final long latencyNanos;
  private final long pollMillis;
  private final Stats stats;
  private final String taskId;
  private final long acceptedNanos;
  private long lastOldStatusSent;
  private long runningAt;
  private boolean runningSeenAgain;

  private DispatchTracer(Vertx vertx, BenchApi api, long latencyNanos, long pollMillis, Stats stats, String taskId,
      long acceptedNanos) {
    this.vertx = vertx;
    this.api = api;
    this.latencyNanos = latencyNanos;
    this.pollMillis = pollMillis;
    this.stats = stats;
    this.taskId = taskId;
    this.acceptedNanos = acceptedNanos;
    this.lastOldStatusSent = acceptedNanos;
  }

  static void trace(Vertx vertx, BenchApi api, long latencyNanos, long pollMillis, Stats stats, String taskId,
      long acceptedNanos) {
    stats.started++;
    new DispatchTracer(vertx, api, latencyNanos, pollMillis, stats, taskId, acceptedNanos).poll();
  }

  private void poll() {
    long sent = System.nanoTime();
    if (sent - acceptedNanos > GIVE_UP_NANOS) {
      stats.failed++;
      return;
    }
    stats.polls++;
    api.get(taskId).onComplete(outcome -> {
      long received = System.nanoTime();
      String status = outcome.succeeded() && outcome.result().status() == 200
          ? outcome.result().json().getString("status") : null;
      if (status == null) {
        vertx.setTimer(pollMillis, ignored -> poll());
      } else if (runningAt == 0) {
        onFirstPhase(status, sent, received);
      } else {
        onSecondPhase(status, sent, received);
      }
    });
  }

  private void onFirstPhase(String status, long sent, long received) {
    if (status.equals("QUEUED")) {
      lastOldStatusSent = sent;
      vertx.setTimer(pollMillis, ignored -> poll());
      return;
    }
    if (!status.equals("RUNNING")) {
      // Already finished (or failed) before we saw it run: the method cannot split the phases.
      stats.failed++;
      return;
    }
    runningAt = (lastOldStatusSent + received) / 2;
    stats.pickup.recordValue(Math.max(0, (runningAt - acceptedNanos) / 1000));
    // Resume a little before the model can have finished, so there is a RUNNING answer just before the change.
    long resumeAt = lastOldStatusSent + latencyNanos - TimeUnit.MILLISECONDS.toNanos(2 * pollMillis);
    lastOldStatusSent = received;
    long delayMillis = Math.max(1, (resumeAt - System.nanoTime()) / 1_000_000);
    vertx.setTimer(delayMillis, ignored -> poll());
  }

  private void onSecondPhase(String status, long sent, long received) {
    if (status.equals("RUNNING")) {
      lastOldStatusSent = sent;
      runningSeenAgain = true;
      vertx.setTimer(pollMillis, ignored -> poll());
      return;
    }
    if (!status.equals("SUCCEEDED")) {
      stats.failed++;
      return;
    }
    long succeededAt = (lastOldStatusSent + received) / 2;
    long overhead = succeededAt - runningAt - latencyNanos;
    if (!runningSeenAgain) {
      // Already done when we resumed (just before the earliest possible finish): no bracket, count it as ~0.
      stats.unbracketed++;
      overhead = 0;
    }
    if (overhead < 0) {
      stats.negative++;
    }
    stats.overhead.recordValue(Math.max(0, overhead / 1000));
    stats.endToEnd.recordValue(Math.max(0, (received - acceptedNanos - latencyNanos) / 1000));
    stats.finished++;
  }
}
