package io.imagegen.common.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Logback turbo filter that copies the current {@link TaskContext}'s fields into the MDC before each log call, so a
 * line logged from any callback of a task's work carries them, and clears them on a line from other work. Declared in
 * logback.xml; filters nothing. Cheap when nothing changed: one lookup and an identity check.
 */
public final class VertxMdc extends TurboFilter {
  private static final ThreadLocal<Map<String, String>> APPLIED = new ThreadLocal<>();

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
      Throwable t) {
    Map<String, String> fields = TaskContext.current().map(TaskContext::fields).orElse(null);
    Map<String, String> applied = APPLIED.get();
    if (fields != applied) {
      if (applied != null) {
        applied.keySet().forEach(MDC::remove);
      }
      if (fields != null) {
        fields.forEach(MDC::put);
      }
      APPLIED.set(fields);
    }
    return FilterReply.NEUTRAL;
  }
}
