package io.imagegen.api.tasks;

import io.imagegen.api.queue.JobProducer;
import io.imagegen.common.errors.NotFoundException;
import io.imagegen.common.models.ModelCatalog;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.common.tasks.Task;
import io.imagegen.common.tasks.TaskIds;
import io.imagegen.common.tasks.TaskStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Submits and looks up tasks on behalf of an authenticated owner. */
public final class TaskService {
  private static final Logger LOG = LoggerFactory.getLogger(TaskService.class);

  private final RequestParser parser;
  private final TaskStore store;
  private final JobProducer producer;
  private final Clock clock;
  private final Duration retention;

  public TaskService(ModelCatalog catalog, TaskStore store, JobProducer producer,
      Clock clock, Duration retention) {
    this.parser = new RequestParser(catalog);
    this.store = store;
    this.producer = producer;
    this.clock = clock;
    this.retention = retention;
  }

  /**
   * Validates {@code body}, records a QUEUED task and enqueues its job; the returned view is only produced once
   * both are durable. If the job cannot be enqueued the record is removed again, so no task is half-written.
   */
  public Future<JsonObject> submit(String owner, JsonObject body) {
    GenerationRequest request;
    try {
      request = parser.parse(body);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Task task = Task.queued(TaskIds.next(), owner, clock.instant(), retention, request.model().id(),
        request.prompt(), request.size(), request.quality(), request.n(), request.mode(), withFormat(request));
    return store.create(task)
        .compose(created -> producer.send(JobMessage.of(task.id(), task.model(), clock.millis()))
            .recover(err -> store.delete(task.id())
                .onFailure(cleanup -> LOG.error("task {} not enqueued and its record could not be removed", task.id(),
                    cleanup))
                .transform(ignored -> Future.failedFuture(err))))
        .map(ignored -> TaskView.of(task));
  }

  /** The caller's task; anybody else's, a malformed id, and a missing id all look the same. */
  public Future<JsonObject> get(String owner, String id) {
    if (!TaskIds.isWellFormed(id)) {
      return Future.failedFuture(notFound(id));
    }
    return store.find(id).compose(found -> {
      if (found == null || !found.value().owner().equals(owner)) {
        return Future.failedFuture(notFound(id));
      }
      Task task = found.value();
      if (task.isExpired(clock.instant())) {
        return Future.failedFuture(new NotFoundException("task_expired", "Task '" + id
            + "' has expired; results are kept for " + retention.toHours() + " hours.", "task_id"));
      }
      return Future.succeededFuture(TaskView.of(task));
    });
  }

  private static Map<String, Object> withFormat(GenerationRequest request) {
    Map<String, Object> params = new LinkedHashMap<>(request.params());
    params.put("response_format", request.responseFormat());
    return params;
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("task_not_found", "No task found with id '" + id + "'.", "task_id");
  }
}
