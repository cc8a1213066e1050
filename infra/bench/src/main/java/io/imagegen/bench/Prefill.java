package io.imagegen.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Creates tasks through the API as fast as it takes them, with a bounded number outstanding. Closed loop on purpose:
 * this is set-up (queued work for the workers), not a latency measurement.
 */
final class Prefill {
  private static final int MAX_ATTEMPTS = 5;

  private final BenchApi api;
  private final int count;
  private final IntFunction<String> body;
  private final String[] ids;
  private final CompletableFuture<List<String>> done = new CompletableFuture<>();
  private final Context context;
  private int next;
  private int finished;

  private Prefill(Vertx vertx, BenchApi api, int count, IntFunction<String> body) {
    this.api = api;
    this.count = count;
    this.body = body;
    this.ids = new String[count];
    this.context = vertx.getOrCreateContext();
  }

  /** Submits {@code count} tasks, {@code concurrency} at a time; returns their ids in submission order. */
  static List<String> submit(Vertx vertx, BenchApi api, int count, int concurrency, IntFunction<String> body)
      throws Exception {
    if (count == 0) {
      return List.of();
    }
    Prefill prefill = new Prefill(vertx, api, count, body);
    prefill.context.runOnContext(ignored -> {
      for (int i = 0; i < Math.min(concurrency, count); i++) {
        prefill.startNext();
      }
    });
    return prefill.done.get(10, TimeUnit.MINUTES);
  }

  private void startNext() {
    if (next < count) {
      attempt(next++, 1);
    }
  }

  private void attempt(int index, int attempt) {
    api.submit(body.apply(index)).onComplete(outcome -> {
      if (outcome.succeeded() && outcome.result().status() == 200) {
        ids[index] = outcome.result().json().getString("task_id");
        if (++finished == count) {
          done.complete(new ArrayList<>(Arrays.asList(ids)));
        } else {
          startNext();
        }
      } else if (attempt < MAX_ATTEMPTS) {
        context.owner().setTimer(100L * attempt, ignored -> attempt(index, attempt + 1));
      } else {
        done.completeExceptionally(new IllegalStateException("could not create task " + index + ": "
            + (outcome.succeeded() ? outcome.result().status() + " " + outcome.result().body() : outcome.cause())));
      }
    });
  }
}
