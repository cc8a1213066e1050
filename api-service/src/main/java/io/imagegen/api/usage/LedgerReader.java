package io.imagegen.api.usage;

import io.imagegen.common.json.Json;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.TopicReader;
import io.imagegen.common.usage.UsageEntry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole usage topic from its beginning into a {@link UsageAggregate} and keeps reading new entries as they
 * come.
 */
final class LedgerReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerReader.class);

  private final TopicReader reader;
  private final UsageAggregate aggregate;
  /** Written on the reader's thread, read by metric scrapes: the consumer itself is single-threaded. */
  private final AtomicLong lag = new AtomicLong();

  private LedgerReader(TopicReader reader, UsageAggregate aggregate) {
    this.reader = reader;
    this.aggregate = aggregate;
  }

  /**
   * Reads the topic up to its current end before returning, so that budgets are right from the first request, then
   * follows it. Blocking: call it off the event loop.
   */
  static LedgerReader start(KafkaSettings settings, String clientId, UsageAggregate aggregate, Duration timeout) {
    TopicReader topic = TopicReader.open(settings, clientId + "-usage", settings.usageTopic(),
        TopicReader.From.BEGINNING);
    LedgerReader ledger = new LedgerReader(topic, aggregate);
    try {
      AtomicInteger read = new AtomicInteger();
      topic.readTo(topic.endOffsets(timeout), timeout, records -> read.addAndGet(ledger.applyAll(records)));
      LOG.info("usage ledger read: {} entries, {} tasks", read.get(), aggregate.size());
      topic.follow("imagegen-usage-ledger", "usage answers and budgets no longer follow the ledger", records -> {
        ledger.applyAll(records);
        ledger.lag.set(topic.lag());
      });
      return ledger;
    } catch (RuntimeException e) {
      topic.close();
      throw e;
    }
  }

  /** Entries written but not yet read here, as last measured. */
  long lag() {
    return lag.get();
  }

  private int applyAll(Iterable<ConsumerRecord<String, byte[]>> records) {
    int applied = 0;
    for (ConsumerRecord<String, byte[]> record : records) {
      if (record.value() == null) {
        continue;
      }
      try {
        aggregate.apply(Json.fromBytes(record.value(), UsageEntry.class));
        applied++;
      } catch (RuntimeException e) {
        LOG.warn("ignoring unreadable usage entry at offset {} of {}", record.offset(), record.partition());
      }
    }
    return applied;
  }

  @Override
  public void close() {
    reader.close();
  }
}
