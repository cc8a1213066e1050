package io.imagegen.worker.observability;

import io.imagegen.common.models.ModelSpec;
import io.imagegen.common.observability.TaskContext;
import io.imagegen.common.queue.JobMessage;
import io.imagegen.worker.queue.JobOutcome;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The worker's spans (docs/operations.md#traces): a consume span per job, child of the submit's trace that the job
 * record's headers carry, and below it a span for each vendor call, poll, storage operation and webhook POST. Each
 * job runs in a {@link TaskContext} of its own, which also gives its log lines their MDC fields.
 */
public final class WorkerTracing {
  /** The attributes of a DashScope submit or poll, whose model the poll loop does not know. */
  public static final Attributes DASHSCOPE = Attributes.of(GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME,
      GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues.GENERATE_CONTENT,
      GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME, "dashscope");

  private final Vertx vertx;
  private final Tracer tracer;

  public WorkerTracing(Vertx vertx, Tracer tracer) {
    this.vertx = vertx;
    this.tracer = tracer;
  }

  /**
   * Runs {@code job} from {@code topic} in its task context under a consume span whose parent is the current OpenTelemetry
   * context (the consumer makes the record's trace current around the call).
   */
  public Future<JobOutcome> process(String topic, JobMessage job, Function<JobMessage, Future<JobOutcome>> run) {
    Span span = tracer.spanBuilder("process " + topic).setSpanKind(SpanKind.CONSUMER).setParent(Context.current())
        .setAttribute(MessagingIncubatingAttributes.MESSAGING_SYSTEM, "kafka")
        .setAttribute(MessagingIncubatingAttributes.MESSAGING_DESTINATION_NAME, topic)
        .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_TYPE, "process")
        .setAttribute(MessagingIncubatingAttributes.MESSAGING_KAFKA_MESSAGE_KEY, job.taskId())
        .setAttribute(GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL, job.model())
        .startSpan();
    TaskContext task = TaskContext.of(tracer).with(TaskContext.TASK_ID, job.taskId())
        .with(TaskContext.MODEL, job.model()).withTrace(Context.current().with(span));
    return ended(span, task.run(vertx, () -> run.apply(job)));
  }

  /** Runs a webhook delivery for {@code taskId} in its task context, in the trace its event carried. */
  public <T> Future<T> deliver(String taskId, Supplier<Future<T>> work) {
    return TaskContext.of(tracer).with(TaskContext.TASK_ID, taskId).withTrace(Context.current()).run(vertx, work);
  }

  /** A span over {@code running}, which was just started, below the current task's job span. */
  public static <T> Future<T> around(String name, SpanKind kind, Attributes attributes, Future<T> running) {
    TaskContext task = TaskContext.currentOrNone();
    Span span = task.tracer().spanBuilder(name).setSpanKind(kind).setParent(task.trace())
        .setAllAttributes(attributes).startSpan();
    return ended(span, running);
  }

  /** A call to {@code model}'s vendor ({@code operation}: its step, e.g. {@code submit} or {@code poll}). */
  public static <T> Future<T> vendorCall(ModelSpec model, String operation, Future<T> running) {
    return around(GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues.GENERATE_CONTENT + " "
        + upstream(model) + (operation == null ? "" : " " + operation), SpanKind.CLIENT, genAi(model).build(),
        running);
  }

  /** The GenAI attributes of a call to {@code model}. */
  public static AttributesBuilder genAi(ModelSpec model) {
    return Attributes.builder()
        .put(GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME,
            GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues.GENERATE_CONTENT)
        .put(GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME, model.provider())
        .put(GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL, upstream(model));
  }

  private static String upstream(ModelSpec model) {
    return model.upstreamModel() == null ? model.id() : model.upstreamModel();
  }

  private static <T> Future<T> ended(Span span, Future<T> running) {
    return running.andThen(done -> {
      if (done.failed()) {
        span.recordException(done.cause());
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    });
  }
}
