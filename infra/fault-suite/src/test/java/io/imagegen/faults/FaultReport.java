package io.imagegen.faults;

import io.imagegen.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of every scenario run in this JVM, rewritten after each one (so a later crash keeps the earlier
 * rows) as {@code fault-report.json} and a Markdown table {@code fault-report.md} for the README.
 */
final class FaultReport {
  private static final List<Verdict> VERDICTS = new ArrayList<>();

  private FaultReport() {
  }

  static synchronized void add(Verdict verdict) {
    VERDICTS.add(verdict);
    Path dir = Path.of(System.getProperty("imagegen.faults.report", "target/fault-report"));
    StringBuilder table = new StringBuilder("| Scenario | Accepted | Succeeded | Other outcomes | Refused submits "
        + "| Repeat upstream calls | Orphan images | Dead letters | Recovery s | Duration s |\n"
        + "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Verdict v : VERDICTS) {
      table.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %d | %d | %d | %d | %s | %.1f |%n",
          v.scenario(), v.accepted(), v.succeeded(), v.others().isEmpty() ? "" : v.others(), v.refused(),
          v.repeatCalls(), v.orphanImages(), v.deadLetters(),
          v.recoverySeconds() < 0 ? "" : String.format(Locale.ROOT, "%.1f", v.recoverySeconds()),
          v.durationSeconds()));
    }
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve("fault-report.json"), Json.MAPPER.writerWithDefaultPrettyPrinter()
          .writeValueAsBytes(VERDICTS));
      Files.writeString(dir.resolve("fault-report.md"), table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println("fault scenario " + verdict.scenario() + ": " + verdict);
  }
}
