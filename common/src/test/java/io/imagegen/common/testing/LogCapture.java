package io.imagegen.common.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Every log line written while it is open, whatever the output format; shared through common's test jar. */
public final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      // The MDC and message are read lazily; take them now, on the thread that logged, as a real appender does.
      event.prepareForDeferredProcessing();
      super.append(event);
    }
  };

  private LogCapture() {
    appender.start();
    root.addAppender(appender);
  }

  /** Starts capturing. */
  public static LogCapture start() {
    return new LogCapture();
  }

  /** The lines so far as {@code LEVEL logger - message}, a failure's exception class appended. */
  public List<String> lines() {
    synchronized (appender) {
      return appender.list.stream().map(event -> event.getLevel() + " " + event.getLoggerName() + " - "
          + event.getFormattedMessage()
          + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getClassName())).toList();
    }
  }

  /** The lines so far, one per line. */
  public String text() {
    return String.join("\n", lines());
  }

  @Override
  public void close() {
    root.detachAppender(appender);
  }
}
