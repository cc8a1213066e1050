package io.imagegen.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Set-up helper: waits until every task shows a status, polling each once per round (not a measurement). */
final class TaskWatch {
  private TaskWatch() {
  }

  static void awaitStatus(BenchApi api, List<String> ids, String status, double timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
    int pending = ids.size();
    while (System.nanoTime() < deadline) {
      pending = 0;
      for (String id : ids) {
        if (!status.equals(statusOf(api, id))) {
          pending++;
        }
      }
      if (pending == 0) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(pending + " of " + ids.size() + " tasks never became " + status);
  }

  /** The task's status, or null; a GET left unanswered for 10 s is reported (and its late answer too). */
  private static String statusOf(BenchApi api, String id) throws Exception {
    long sent = System.nanoTime();
    CompletableFuture<BenchApi.Response> answer = api.get(id).toCompletionStage().toCompletableFuture();
    try {
      BenchApi.Response response = answer.get(10, TimeUnit.SECONDS);
      return response.status() == 200 ? response.json().getString("status") : null;
    } catch (TimeoutException e) {
      Log.info("  GET %s unanswered after 10 s", id);
      answer.whenComplete((response, error) -> Log.info("  GET %s answered after %.1f s: %s", id,
          (System.nanoTime() - sent) / 1e9, error != null ? error : response.status()));
      return null;
    }
  }
}
