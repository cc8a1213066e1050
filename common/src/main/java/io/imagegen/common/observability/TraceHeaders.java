package io.imagegen.common.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * W3C trace context ({@code traceparent}, {@code tracestate}) in Kafka record headers, so that a task's trace goes on
 * from the API's produce to the worker's consume and from a task event to its webhook (docs/operations.md#traces).
 */
public final class TraceHeaders {
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  };

  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers headers) {
      List<String> keys = new ArrayList<>();
      headers.forEach(header -> keys.add(header.key()));
      return keys;
    }

    @Override
    public String get(Headers headers, String key) {
      Header header = headers == null ? null : headers.lastHeader(key);
      return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
  };

  private TraceHeaders() {
  }

  /** Writes {@code context}'s span (if it has a valid one) into {@code headers}; nothing otherwise. */
  public static void inject(Context context, Headers headers) {
    W3C.inject(context, headers, SETTER);
  }

  /**
   * Starts the producer span of a record to {@code topic} keyed by {@code taskId}, as a child of {@code task}'s trace,
   * and writes it into {@code headers}; the caller ends it when the broker answered.
   */
  public static Span send(TaskContext task, String topic, String taskId, Headers headers) {
    Span span = task.tracer().spanBuilder("send " + topic).setSpanKind(SpanKind.PRODUCER).setParent(task.trace())
        .setAttribute(MessagingIncubatingAttributes.MESSAGING_SYSTEM, "kafka")
        .setAttribute(MessagingIncubatingAttributes.MESSAGING_DESTINATION_NAME, topic)
        .setAttribute(MessagingIncubatingAttributes.MESSAGING_OPERATION_TYPE, "send")
        .setAttribute(MessagingIncubatingAttributes.MESSAGING_KAFKA_MESSAGE_KEY, taskId)
        .startSpan();
    inject(task.trace().with(span), headers);
    return span;
  }

  /** Ends a span from {@link #send} once the broker answered ({@code error} null) or refused. */
  public static void sent(Span span, Throwable error) {
    if (error != null) {
      span.recordException(error);
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** The context carried by {@code headers}, or the root context when they carry none. */
  public static Context extract(Headers headers) {
    return W3C.extract(Context.root(), headers, GETTER);
  }
}
