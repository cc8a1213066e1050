package io.imagegen.worker.deadletters;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Why a job went to the dead-letter topic. Travels as headers on a copy of the original job record (same key, same
 * bytes), so that a replay can put exactly that record back on the jobs topic.
 *
 * @param attempts upstream attempts the task had made; 0 when the task could not be read
 */
public record DeadLetter(Reason reason, String code, String message, int attempts) {
  static final String REASON = "imagegen-dlq-reason";
  static final String CODE = "imagegen-dlq-error-code";
  static final String MESSAGE = "imagegen-dlq-error-message";
  static final String ATTEMPTS = "imagegen-dlq-attempts";
  static final String SOURCE_TOPIC = "imagegen-dlq-source-topic";
  static final String SOURCE_PARTITION = "imagegen-dlq-source-partition";
  static final String SOURCE_OFFSET = "imagegen-dlq-source-offset";
  static final String FAILED_AT = "imagegen-dlq-failed-at-ms";
  /** Prefix of every header above: a record dead-lettered twice keeps only its latest reasons. */
  private static final String PREFIX = "imagegen-dlq-";

  /** The two ways a job ends here; only poison can be worth replaying (see {@link DlqReplay}). */
  public enum Reason {
    /** The job could not be run at all (unreadable job or task record, no task record); the task was not touched. */
    POISON,
    /** The task ended {@code FAILED} (permanent error, retries exhausted, deadline); the record is for the audit. */
    FAILED;

    String header() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static DeadLetter poison(String code, String message) {
    return new DeadLetter(Reason.POISON, code, message, 0);
  }

  public static DeadLetter failed(String code, String message, int attempts) {
    return new DeadLetter(Reason.FAILED, code, message, attempts);
  }

  /** The original record's own headers plus ours, describing {@code source} and this letter. */
  Headers headers(ConsumerRecord<String, byte[]> source, long failedAtMillis) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : source.headers()) {
      if (!isOwnHeader(header.key())) {
        headers.add(header);
      }
    }
    add(headers, REASON, reason.header());
    add(headers, CODE, code);
    add(headers, MESSAGE, message == null ? "" : message);
    add(headers, ATTEMPTS, Integer.toString(attempts));
    add(headers, SOURCE_TOPIC, source.topic());
    add(headers, SOURCE_PARTITION, Integer.toString(source.partition()));
    add(headers, SOURCE_OFFSET, Long.toString(source.offset()));
    add(headers, FAILED_AT, Long.toString(failedAtMillis));
    return headers;
  }

  /** Whether {@code key} is one of the headers this class writes. */
  static boolean isOwnHeader(String key) {
    return key.startsWith(PREFIX);
  }

  /** The letter a dead-letter record carries; fails on a record that did not come from {@link #headers}. */
  static DeadLetter from(Headers headers) {
    String reason = header(headers, REASON);
    if (reason == null) {
      throw new IllegalArgumentException("not a dead-letter record: no " + REASON + " header");
    }
    String attempts = header(headers, ATTEMPTS);
    return new DeadLetter(Reason.valueOf(reason.toUpperCase(Locale.ROOT)), header(headers, CODE),
        header(headers, MESSAGE), attempts == null ? 0 : Integer.parseInt(attempts));
  }

  /** The last value of header {@code key}, or {@code null}. */
  static String header(Headers headers, String key) {
    Header header = headers.lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static void add(Headers headers, String key, String value) {
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
