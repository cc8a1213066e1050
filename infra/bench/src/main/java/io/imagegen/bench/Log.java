package io.imagegen.bench;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** Progress lines on stdout; the services' own logs go to a file (see run-bench.sh) so they do not bury these. */
final class Log {
  private Log() {
  }

  static void info(String format, Object... args) {
    System.out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "  " + String.format(format, args));
    System.out.flush();
  }
}
