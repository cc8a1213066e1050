package io.imagegen.common.observability;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
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

  /** The context carried by {@code headers}, or the root context when they carry none. */
  public static Context extract(Headers headers) {
    return W3C.extract(Context.root(), headers, GETTER);
  }
}
