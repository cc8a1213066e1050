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
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a job's in-flight slot goes, read from the workers' own {@code /metrics}: the slot timer (fetch to finished)
 * against the upstream-call timer and the storage timers per operation. The slot time minus the model's is what the
 * worker adds around the call; in-flight / mean slot time is the ceiling the engine can reach, the model latency
 * alone only the ideal.
 */
final class SlotTimes {
  static final String SLOT = "slot";
  static final String MODEL = "model";
  private static final Pattern OPERATION = Pattern.compile("operation=\"([^\"]+)\"");

  /** Per timer ("slot", "model", "storage task_read", ...): total seconds and count, summed over workers. */
  record Snapshot(Map<String, double[]> timers) {
    Snapshot minus(Snapshot before) {
      Map<String, double[]> diff = new TreeMap<>();
      timers.forEach((name, now) -> {
        double[] then = before.timers.getOrDefault(name, new double[2]);
        diff.put(name, new double[] {now[0] - then[0], now[1] - then[1]});
      });
      return new Snapshot(diff);
    }

    /** Mean seconds of {@code timer} (NaN if it did not run). */
    double mean(String timer) {
      double[] t = timers.get(timer);
      return t == null || t[1] == 0 ? Double.NaN : t[0] / t[1];
    }

    /** Calls of {@code timer} per finished job. */
    double perJob(String timer) {
      double[] t = timers.get(timer);
      double[] slots = timers.get(SLOT);
      return t == null || slots == null || slots[1] == 0 ? Double.NaN : t[1] / slots[1];
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject();
      timers.forEach((name, t) -> json.put(name, new JsonObject().put("count", t[1])
          .put("mean_seconds", Report.finite(mean(name)))));
      return json;
    }

    /** The storage operations' mean times and calls per job, for a results row. */
    String storageSummary() {
      StringBuilder out = new StringBuilder();
      timers.keySet().stream().filter(n -> n.startsWith("storage ")).forEach(n -> out.append(out.isEmpty() ? "" : ", ")
          .append(String.format("%s %.3f s x %.1f", n.substring(8), mean(n), perJob(n))));
      return out.toString();
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private SlotTimes() {
  }

  /** The timers of {@code workers} for jobs on {@code topic}, summed. */
  static Snapshot scrape(List<WorkerMain.Running> workers, String topic) throws IOException, InterruptedException {
    Map<String, double[]> timers = new TreeMap<>();
    for (WorkerMain.Running worker : workers) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.monitoringPort()
          + "/metrics")).timeout(Duration.ofSeconds(10)).build();
      parse(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body(), topic, timers);
    }
    return new Snapshot(timers);
  }

  /** Adds the slot, model and storage timers of one worker's Prometheus text to {@code timers}. */
  static void parse(String text, String topic, Map<String, double[]> timers) {
    for (String line : text.split("\n")) {
      String name = null;
      if (line.startsWith("imagegen_worker_jobs_seconds_") && line.contains("topic=\"" + topic + "\"")) {
        name = SLOT;
      } else if (line.startsWith("imagegen_worker_upstream_calls_seconds_")) {
        name = MODEL;
      } else if (line.startsWith("imagegen_worker_storage_calls_seconds_")) {
        Matcher op = OPERATION.matcher(line);
        name = op.find() ? "storage " + op.group(1) : null;
      }
      boolean sum = line.contains("_seconds_sum{");
      if (name == null || !(sum || line.contains("_seconds_count{"))) {
        continue;
      }
      double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      timers.computeIfAbsent(name, n -> new double[2])[sum ? 0 : 1] += value;
    }
  }
}
