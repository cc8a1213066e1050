package io.imagegen.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load generator: a 1 ms timer on one event loop sends every request that is due by the
 * {@link ArrivalSchedule}, without waiting for earlier answers, and a {@link LatencyRecorder} measures each from its
 * intended send time. Bounded: the schedule has a fixed count, at most {@code maxOutstanding} requests are in flight
 * (more are counted as errors, not queued), and whatever is still unanswered {@code drain} after the last send counts
 * as a timeout.
 */
final class LoadGen {
  /** One request: completes with the HTTP status once the whole response was read, fails on a transport error. */
  interface Call {
    Future<Integer> send(long index);
  }

  record Spec(String name, double ratePerSecond, double warmupSeconds, double measureSeconds, int maxOutstanding,
      Duration drain) {
    Spec(String name, double ratePerSecond, double warmupSeconds, double measureSeconds) {
      this(name, ratePerSecond, warmupSeconds, measureSeconds, 20_000, Duration.ofSeconds(15));
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final Spec spec;
  private final Call call;
  private final CompletableFuture<LoadResult> result = new CompletableFuture<>();
  /** How late the timer got round to sending, i.e. how far the generator itself fell behind. */
  private final Histogram sendLag = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
  private ArrivalSchedule schedule;
  private LatencyRecorder recorder;
  private long next;
  private long outstanding;
  private long timer;
  private boolean finished;
  /** The first few distinct failure messages, so an error count comes with a reason. */
  private final java.util.Set<String> errorSamples = new java.util.LinkedHashSet<>();

  private LoadGen(Vertx vertx, Spec spec, Call call) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.spec = spec;
    this.call = call;
  }

  /** Runs {@code spec} to the end and returns what was measured; blocks the calling (non-Vert.x) thread. */
  static LoadResult run(Vertx vertx, Spec spec, Call call) throws Exception {
    LoadGen gen = new LoadGen(vertx, spec, call);
    gen.context.runOnContext(ignored -> gen.start());
    long limitSeconds = (long) (spec.warmupSeconds() + spec.measureSeconds()) + spec.drain().toSeconds() + 30;
    return gen.result.get(limitSeconds, TimeUnit.SECONDS);
  }

  /**
   * Warms a freshly started stack (JIT, connection pools, S3Proxy) at a gentler rate before anything is measured:
   * a cold service at full rate builds a backlog in its first seconds that takes many more to drain.
   */
  static void prime(Vertx vertx, String name, Call call, double ratePerSecond, double seconds) throws Exception {
    LoadResult warm = run(vertx, new Spec(name + " (priming)", ratePerSecond, 0, seconds), call);
    Log.info("  %s", warm.oneLine());
  }

  private void start() {
    // A few milliseconds ahead so the first tick is not already late.
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
    schedule = ArrivalSchedule.forDuration(start, spec.ratePerSecond(), spec.warmupSeconds() + spec.measureSeconds());
    recorder = new LatencyRecorder(start + (long) (spec.warmupSeconds() * 1e9), schedule.endNanos());
    timer = vertx.setPeriodic(1, ignored -> tick());
  }

  private void tick() {
    if (finished) {
      return;
    }
    long now = System.nanoTime();
    long due = schedule.dueBy(now);
    while (next < due) {
      long index = next++;
      long intended = schedule.intendedNanos(index);
      sendLag.recordValue(Math.min(sendLag.getHighestTrackableValue(), Math.max(0, (now - intended) / 1000)));
      if (outstanding >= spec.maxOutstanding()) {
        recorder.notSent(intended);
        continue;
      }
      outstanding++;
      Future<Integer> answer;
      try {
        answer = call.send(index);
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      answer.onComplete(outcome -> onContext(() -> {
        long done = System.nanoTime();
        if (finished) {
          return;
        }
        outstanding--;
        if (outcome.succeeded()) {
          recorder.response(intended, done, outcome.result());
        } else {
          recorder.error(intended, done);
          if (errorSamples.size() < 3) {
            errorSamples.add(String.valueOf(outcome.cause()));
          }
        }
      }));
    }
    if (next == schedule.count()) {
      boolean drained = outstanding == 0;
      if (drained || now - schedule.endNanos() > spec.drain().toNanos()) {
        finish();
      }
    }
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(ignored -> action.run());
    }
  }

  private void finish() {
    finished = true;
    vertx.cancelTimer(timer);
    long timedOut = outstanding;
    if (timedOut > 0) {
      errorSamples.add(timedOut + " unanswered " + spec.drain().toSeconds() + " s after the last send");
    }
    result.complete(LoadResult.of(spec, recorder, timedOut, sendLag, List.copyOf(errorSamples)));
  }
}
