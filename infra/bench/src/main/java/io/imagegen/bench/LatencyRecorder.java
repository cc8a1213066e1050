package io.imagegen.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Bookkeeping of one open-loop run. Only requests whose <em>intended</em> send time falls in the measurement window
 * count (so the warm-up is excluded by schedule, not by when answers happened to arrive); their latency is the time
 * from the intended send time to the complete response, in microseconds. Errors and non-2xx answers are counted apart
 * and never enter the histogram. Not thread-safe: one event loop drives it.
 */
final class LatencyRecorder {
  /** Two minutes in microseconds: far beyond any timeout we use, so nothing is clipped. */
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);

  private final Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
  private final long windowStartNanos;
  private final long windowEndNanos;
  private long measured;
  private long ok;
  private long non2xx;
  private long errors;
  private long notSent;
  private long warmup;
  private long lastCompletionNanos;
  /** Worst latency per second of intended time, to show when a run stalled (JSON only). */
  private final long[] worstPerSecondMicros;

  /** Measures requests intended in [{@code windowStartNanos}, {@code windowEndNanos}). */
  LatencyRecorder(long windowStartNanos, long windowEndNanos) {
    this.windowStartNanos = windowStartNanos;
    this.windowEndNanos = windowEndNanos;
    this.lastCompletionNanos = windowStartNanos;
    this.worstPerSecondMicros = new long[(int) Math.max(1, Math.ceil((windowEndNanos - windowStartNanos) / 1e9))];
  }

  private boolean inWindow(long intendedNanos) {
    if (intendedNanos >= windowStartNanos && intendedNanos < windowEndNanos) {
      return true;
    }
    warmup++;
    return false;
  }

  /** A complete response with HTTP {@code status}. */
  void response(long intendedNanos, long doneNanos, int status) {
    if (!inWindow(intendedNanos)) {
      return;
    }
    measured++;
    lastCompletionNanos = Math.max(lastCompletionNanos, doneNanos);
    if (status >= 200 && status < 300) {
      ok++;
      long micros = Math.max(0, (doneNanos - intendedNanos) / 1000);
      histogram.recordValue(Math.min(micros, HIGHEST_MICROS));
      int second = (int) Math.min(worstPerSecondMicros.length - 1, (intendedNanos - windowStartNanos) / 1_000_000_000L);
      worstPerSecondMicros[second] = Math.max(worstPerSecondMicros[second], micros);
    } else {
      non2xx++;
    }
  }

  /** A transport failure or a timeout. */
  void error(long intendedNanos, long doneNanos) {
    if (!inWindow(intendedNanos)) {
      return;
    }
    measured++;
    errors++;
    lastCompletionNanos = Math.max(lastCompletionNanos, doneNanos);
  }

  /** A request the client refused to send because too many were outstanding: counted as an error. */
  void notSent(long intendedNanos) {
    if (!inWindow(intendedNanos)) {
      return;
    }
    measured++;
    notSent++;
  }

  long[] worstPerSecondMicros() {
    return worstPerSecondMicros.clone();
  }

  Histogram histogram() {
    return histogram;
  }

  long measured() {
    return measured;
  }

  long ok() {
    return ok;
  }

  long non2xx() {
    return non2xx;
  }

  long errors() {
    return errors + notSent;
  }

  long notSent() {
    return notSent;
  }

  long warmup() {
    return warmup;
  }

  /** Failed share (errors, refused sends and non-2xx) of the measured requests. */
  double failedFraction() {
    return measured == 0 ? 0 : (double) (non2xx + errors + notSent) / measured;
  }

  /**
   * 2xx answers per second for the measured requests: over the window, or until the last of them was answered if
   * that took longer (a server that falls behind shows a lower rate than was offered).
   */
  double achievedPerSecond() {
    long span = Math.max(windowEndNanos - windowStartNanos, lastCompletionNanos - windowStartNanos);
    return span <= 0 ? 0 : ok * 1e9 / span;
  }

  /** Latency percentile in milliseconds (NaN when nothing was recorded). */
  double percentileMillis(double percentile) {
    return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
  }
}
