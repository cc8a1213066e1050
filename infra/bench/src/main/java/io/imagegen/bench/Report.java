package io.imagegen.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The table on stdout and the JSON files. */
final class Report {
  private static final String[] HEADER = {"scenario", "metric", "value", "target", "met", "notes"};

  private Report() {
  }

  static JsonObject machine() {
    JsonObject machine = new JsonObject()
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"))
        .put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      machine.put("memory_mb", os.getTotalMemorySize() >> 20);
    }
    try {
      Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
          .ifPresent(l -> machine.put("cpu", l.substring(l.indexOf(':') + 1).trim()));
    } catch (IOException | RuntimeException e) {
      // Not Linux: the other fields still say enough.
    }
    return machine;
  }

  static String machineLine(JsonObject m) {
    return String.format("Machine: %d cores%s, %s MB memory, %s, %s (bench JVM max heap %d MB)", m.getInteger("cores"),
        m.containsKey("cpu") ? " (" + m.getString("cpu") + ")" : "", m.getValue("memory_mb", "?"), m.getString("java"),
        m.getString("os"), m.getLong("max_heap_mb"));
  }

  static void printTable(List<Result> results) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (Result r : results) {
      rows.add(new String[] {r.scenario(), r.metric(), number(r.value()) + (r.unit().isEmpty() ? "" : " " + r.unit()),
          r.target(), r.metString(), r.notes()});
    }
    int[] widths = new int[HEADER.length - 1];
    for (String[] row : rows) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < widths.length; i++) {
        line.append(String.format("%-" + widths[i] + "s | ", row[i]));
      }
      System.out.println(line.append(row[row.length - 1]));
    }
  }

  /** Writes bench-results.json and a timestamped copy into {@code dir}; returns the main file. */
  static Path write(Path dir, JsonObject machine, boolean quick, List<String> scenarios,
      Map<String, Scenario.Outcome> outcomes, Instant started) throws IOException {
    JsonArray results = new JsonArray();
    JsonObject details = new JsonObject();
    outcomes.forEach((id, outcome) -> {
      outcome.results.forEach(r -> results.add(r.toJson()));
      details.put(id, outcome.details.copy().put("seconds", outcome.seconds).put("error", outcome.error));
    });
    JsonObject json = new JsonObject().put("started_at", started.toString()).put("quick", quick)
        .put("scenarios", new JsonArray(scenarios)).put("machine", machine).put("results", results)
        .put("details", details);
    Files.createDirectories(dir);
    Path main = dir.resolve("bench-results.json");
    String text = json.encodePrettily();
    Files.writeString(main, text);
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started);
    Files.writeString(dir.resolve("bench-results-" + stamp + ".json"), text);
    return main;
  }

  /** Compact: integers plain, small numbers with up to three significant decimals. */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e12) {
      return Long.toString((long) value);
    }
    return Math.abs(value) >= 100 ? String.format("%.0f", value)
        : Math.abs(value) >= 10 ? String.format("%.1f", value) : String.format("%.2f", value);
  }

  /** JSON has no NaN. */
  static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
