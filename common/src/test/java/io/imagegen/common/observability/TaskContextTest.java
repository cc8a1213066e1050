package io.imagegen.common.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opentelemetry.api.trace.TracerProvider;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TaskContextTest {
  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("task-context-test");
  private final Vertx vertx = Vertx.vertx();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      // The MDC is read lazily; take it now, on the thread that logged, as a real appender does.
      event.prepareForDeferredProcessing();
      super.append(event);
    }
  };

  @BeforeEach
  void capture() {
    lines.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(lines);
  }

  @AfterEach
  void close() {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(lines);
    vertx.close().await();
  }

  private Future<Void> job(String taskId) {
    return TaskContext.of(TracerProvider.noop().get("test")).with(TaskContext.TASK_ID, taskId).run(vertx, () -> {
      LOG.info("{} starts", taskId);
      return vertx.timer(5)
          .compose(ignored -> vertx.executeBlocking(() -> {
            LOG.info("{} blocks", taskId);
            return null;
          }))
          .compose(ignored -> vertx.timer(1))
          .map(ignored -> {
            LOG.info("{} ends", taskId);
            return null;
          });
    });
  }

  @Test
  void interleavedJobsOnOneEventLoopEachLogWithTheirOwnTaskId() {
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(ignored -> {
      List<Future<Void>> jobs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        jobs.add(job("task_" + i));
      }
      Future.all(jobs).<Void>mapEmpty().onComplete(done);
    });
    done.future().await();
    LOG.info("not about a task");

    List<ILoggingEvent> about = lines.list.stream().filter(e -> e.getFormattedMessage().startsWith("task_")).toList();
    assertThat(about).hasSize(60).allSatisfy(event -> assertThat(event.getFormattedMessage())
        .startsWith(event.getMDCPropertyMap().get(TaskContext.TASK_ID) + " "));
    assertThat(lines.list.get(lines.list.size() - 1).getMDCPropertyMap()).isEqualTo(Map.of());
  }
}
