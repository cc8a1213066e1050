package io.imagegen.bench;

import io.imagegen.worker.WorkerMain;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Where a job's in-flight slot goes, read from the workers' own {@code /metrics}: the slot timer (fetch to finished)
 * against the upstream-call timer. Their difference is what the worker adds around the model call (task read, RUNNING
 * write, image and result writes); in-flight / mean slot time is the ceiling the engine can reach, the model
 * latency alone only the ideal.
 */
final class SlotTimes {
  /** Sums of the two timers over every worker at one moment. */
  record Snapshot(double slotSeconds, double slots, double upstreamSeconds, double upstreamCalls) {
    Snapshot minus(Snapshot before) {
      return new Snapshot(slotSeconds - before.slotSeconds, slots - before.slots,
          upstreamSeconds - before.upstreamSeconds, upstreamCalls - before.upstreamCalls);
    }

    double meanSlotSeconds() {
      return slots == 0 ? Double.NaN : slotSeconds / slots;
    }

    double meanUpstreamSeconds() {
      return upstreamCalls == 0 ? Double.NaN : upstreamSeconds / upstreamCalls;
    }

    JsonObject toJson() {
      return new JsonObject().put("jobs_finished", slots).put("mean_slot_seconds", Report.finite(meanSlotSeconds()))
          .put("upstream_calls", upstreamCalls).put("mean_upstream_seconds", Report.finite(meanUpstreamSeconds()));
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private SlotTimes() {
  }

  /** The timers of {@code workers} for jobs on {@code topic}, summed. */
  static Snapshot scrape(List<WorkerMain.Running> workers, String topic) throws IOException, InterruptedException {
    Snapshot sum = new Snapshot(0, 0, 0, 0);
    for (WorkerMain.Running worker : workers) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.monitoringPort()
          + "/metrics")).timeout(Duration.ofSeconds(10)).build();
      String text = HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
      String jobs = "topic=\"" + topic + "\"";
      sum = new Snapshot(sum.slotSeconds + total(text, "imagegen_worker_jobs_seconds_sum", jobs),
          sum.slots + total(text, "imagegen_worker_jobs_seconds_count", jobs),
          sum.upstreamSeconds + total(text, "imagegen_worker_upstream_calls_seconds_sum", ""),
          sum.upstreamCalls + total(text, "imagegen_worker_upstream_calls_seconds_count", ""));
    }
    return sum;
  }

  /** Sum of the samples of {@code name} whose labels contain {@code label} (Prometheus text format). */
  static double total(String text, String name, String label) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
