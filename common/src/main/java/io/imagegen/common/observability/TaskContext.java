package io.imagegen.common.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What every log line and span about one task carries: its MDC fields ({@code task_id}, {@code owner}, {@code model},
 * {@code trace_id}) and its trace context. It lives in the local data of a Vert.x duplicated context, which every
 * callback of that piece of work runs on, however often it hops threads (docs/operations.md#logs). Immutable: a
 * change replaces the instance.
 */
public record TaskContext(Map<String, String> fields, Context trace, Tracer tracer) {
  /** MDC keys, as documented in docs/operations.md#logs. */
  public static final String TASK_ID = "task_id";
  public static final String OWNER = "owner";
  public static final String MODEL = "model";
  public static final String TRACE_ID = "trace_id";

  private static final Object KEY = TaskContext.class;
  private static final TaskContext NONE = new TaskContext(Map.of(), Context.root(),
      TracerProvider.noop().get("none"));

  public TaskContext {
    fields = Map.copyOf(fields);
  }

  /** The task context of the Vert.x context this code runs on, if any. */
  public static Optional<TaskContext> current() {
    ContextInternal context = ContextInternal.current();
    return context == null ? Optional.empty() : Optional.ofNullable(context.getLocal(KEY));
  }

  /** The current task context, or an empty one whose tracer records nothing. */
  public static TaskContext currentOrNone() {
    return current().orElse(NONE);
  }

  /** An empty task context whose spans go to {@code tracer}. */
  public static TaskContext of(Tracer tracer) {
    return new TaskContext(Map.of(), Context.root(), tracer);
  }

  /** With one more MDC field; a {@code null} value leaves it out. */
  public TaskContext with(String key, String value) {
    if (value == null) {
      return this;
    }
    Map<String, String> next = new LinkedHashMap<>(fields);
    next.put(key, value);
    return new TaskContext(next, trace, tracer);
  }

  /** With {@code trace} as the parent of the next spans, and its trace id in the MDC when it has one. */
  public TaskContext withTrace(Context trace) {
    SpanContext span = Span.fromContext(trace).getSpanContext();
    TaskContext next = new TaskContext(fields, trace, tracer);
    return span.isValid() ? next.with(TRACE_ID, span.getTraceId()) : next;
  }

  /** Makes this the task context of the current Vert.x duplicated context (an HTTP request's, for instance). */
  public TaskContext attach() {
    ContextInternal context = ContextInternal.current();
    if (context != null && context.isDuplicate()) {
      context.putLocal(KEY, this);
    }
    return this;
  }

  /**
   * Runs {@code work} on a fresh duplicated context of the caller's Vert.x context carrying this task context, so
   * each job's callbacks see its own fields even though many jobs share one event loop.
   */
  public <T> Future<T> run(Vertx vertx, Supplier<Future<T>> work) {
    ContextInternal duplicate = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
    duplicate.putLocal(KEY, this);
    Promise<T> done = Promise.promise();
    duplicate.runOnContext(ignored -> {
      Future<T> result;
      try {
        result = work.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(done);
    });
    return done.future();
  }
}
