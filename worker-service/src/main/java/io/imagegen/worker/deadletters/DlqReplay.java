package io.imagegen.worker.deadletters;

import io.imagegen.common.config.ConfigException;
import io.imagegen.common.config.Durations;
import io.imagegen.common.config.Env;
import io.imagegen.common.queue.KafkaSettings;
import io.imagegen.common.queue.Producers;
import io.imagegen.common.queue.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The operator's replay command: puts poison dead letters back on the jobs topic, once their cause is fixed (a worker
 * upgrade, a repaired task record). Letters of webhook deliveries (source topic other than the jobs topic) are listed
 * but never replayed. Letters of tasks that ended {@code FAILED} are listed but never replayed: a
 * terminal task never changes, so its job would only be skipped. Replay never writes task records; a poison job never
 * touched its task, which is still {@code QUEUED} or {@code RUNNING} (or has no record), and a worker picks it up as
 * usual. It reads the whole dead-letter topic each time and replays the newest matching letter per task; replaying
 * twice is harmless, since a worker skips a job whose task is terminal.
 *
 * <pre>java -cp imagegen-worker.jar io.imagegen.worker.deadletters.DlqReplay [--task-id ID] [--code CODE]
 *     [--since 24h|2026-01-31T00:00:00Z] [--dry-run]</pre>
 * Kafka is configured by the worker's {@code IMAGEGEN_KAFKA_*} variables.
 */
public final class DlqReplay {
  /** Header naming the dead letter a replayed job came from ({@code topic/partition@offset}). */
  static final String REPLAYED_FROM = "imagegen-replayed-from";
  private static final String USAGE = "usage: DlqReplay [--task-id ID]... [--code CODE]... "
      + "[--since DURATION|INSTANT] [--dry-run]";
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Which letters to replay; empty sets match everything.
   *
   * @param since only letters written at or after this instant; {@code null}: all
   */
  public record Options(Set<String> taskIds, Set<String> codes, Instant since, boolean dryRun) {
    /** Parses the command line; throws {@link IllegalArgumentException} with a message fit for the operator. */
    public static Options parse(List<String> args, Clock clock) {
      List<String> taskIds = new ArrayList<>();
      List<String> codes = new ArrayList<>();
      Instant since = null;
      boolean dryRun = false;
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        switch (arg) {
          case "--dry-run" -> dryRun = true;
          case "--task-id", "--code", "--since" -> {
            if (i + 1 == args.size()) {
              throw new IllegalArgumentException(arg + " needs a value");
            }
            String value = args.get(++i);
            switch (arg) {
              case "--task-id" -> taskIds.addAll(Arrays.asList(value.split(",")));
              case "--code" -> codes.addAll(Arrays.asList(value.split(",")));
              default -> since = instant(value, clock);
            }
          }
          default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
        }
      }
      return new Options(Set.copyOf(taskIds), Set.copyOf(codes), since, dryRun);
    }

    private static Instant instant(String value, Clock clock) {
      try {
        return clock.instant().minus(Durations.parse(value));
      } catch (IllegalArgumentException notADuration) {
        try {
          return Instant.parse(value);
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("--since takes a duration (24h) or an instant (2026-01-31T00:00:00Z), "
              + "got '" + value + "'");
        }
      }
    }

    boolean matches(ConsumerRecord<String, byte[]> record, DeadLetter letter, long failedAtMillis) {
      return (taskIds.isEmpty() || taskIds.contains(record.key()))
          && (codes.isEmpty() || codes.contains(letter.code()))
          && (since == null || failedAtMillis >= since.toEpochMilli());
    }
  }

  /** What happened to one letter: replayed (or would be, in a dry run), or left alone and why. */
  public record Decision(String taskId, DeadLetter letter, String source, boolean replayed, String note) {
    @Override
    public String toString() {
      return (replayed ? "replay " : "skip   ") + taskId + "  " + letter.reason().header() + "/" + letter.code()
          + "  from " + source + (note == null ? "" : "  (" + note + ")");
    }
  }

  private DlqReplay() {
  }

  public static void main(String[] args) {
    Options options;
    KafkaSettings settings;
    try {
      options = Options.parse(List.of(args), Clock.systemUTC());
      Env env = Env.system();
      settings = KafkaSettings.from(env);
      env.validate();
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    try {
      List<Decision> decisions = replay(settings, options);
      decisions.forEach(System.out::println);
      long replayed = decisions.stream().filter(Decision::replayed).count();
      System.out.printf("%d dead letter(s) matched: %d %s, %d skipped%n", decisions.size(), replayed,
          options.dryRun() ? "would be replayed (dry run: nothing written)" : "replayed to " + settings.jobsTopic(),
          decisions.size() - replayed);
    } catch (Exception e) {
      System.err.println("replay failed: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Reads the dead-letter topic and re-enqueues the matching poison letters (unless a dry run). Blocking. */
  public static List<Decision> replay(KafkaSettings settings, Options options) throws Exception {
    Map<String, ConsumerRecord<String, byte[]>> newest = new LinkedHashMap<>();
    for (ConsumerRecord<String, byte[]> record : read(settings)) {
      DeadLetter letter;
      long failedAt;
      try {
        letter = DeadLetter.from(record.headers());
        failedAt = Long.parseLong(DeadLetter.header(record.headers(), DeadLetter.FAILED_AT));
      } catch (RuntimeException e) {
        continue;
      }
      if (options.matches(record, letter, failedAt)) {
        // Keyless poison has no task to collapse on: keep each such record on its own.
        newest.put(record.key() == null ? source(record) : record.key(), record);
      }
    }
    List<Decision> decisions = new ArrayList<>();
    List<ConsumerRecord<String, byte[]>> toReplay = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : newest.values()) {
      DeadLetter letter = DeadLetter.from(record.headers());
      String from = DeadLetter.header(record.headers(), DeadLetter.SOURCE_TOPIC);
      // Webhook deliveries share the dead-letter topic; their records are task events, not jobs.
      boolean job = from == null || from.equals(settings.jobsTopic());
      boolean poison = letter.reason() == DeadLetter.Reason.POISON;
      boolean replay = poison && job;
      decisions.add(new Decision(record.key(), letter, source(record), replay,
          !job ? "a webhook delivery from " + from + ", not a job; never replayed"
              : poison ? null : "the task ended FAILED; a terminal task never changes"));
      if (replay) {
        toReplay.add(record);
      }
    }
    if (!options.dryRun() && !toReplay.isEmpty()) {
      write(settings, toReplay);
    }
    return decisions;
  }

  private static List<ConsumerRecord<String, byte[]>> read(KafkaSettings settings) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (TopicReader reader = TopicReader.open(settings, "imagegen-dlq-replay", settings.deadLetterTopic(),
        TopicReader.From.BEGINNING)) {
      // Up to where the topic ends now: letters written while we replay are for the next run.
      Map<TopicPartition, Long> end = reader.endOffsets(Duration.ofSeconds(30));
      reader.readTo(end, READ_TIMEOUT, batch -> batch.forEach(record -> {
        if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
          records.add(record);
        }
      }));
    }
    return records;
  }

  private static void write(KafkaSettings settings, List<ConsumerRecord<String, byte[]>> letters) throws Exception {
    try (Producer<String, byte[]> producer = Producers.durable(settings, "imagegen-dlq-replay").create()) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> letter : letters) {
        sent.add(producer.send(new ProducerRecord<>(settings.jobsTopic(), null, letter.key(), letter.value(),
            jobHeaders(letter))));
      }
      producer.flush();
      for (Future<RecordMetadata> future : sent) {
        future.get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** The job's own headers, without the dead-letter ones, plus where it was replayed from. */
  private static RecordHeaders jobHeaders(ConsumerRecord<String, byte[]> letter) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : letter.headers()) {
      if (!DeadLetter.isOwnHeader(header.key()) && !header.key().equals(REPLAYED_FROM)) {
        headers.add(header);
      }
    }
    headers.add(REPLAYED_FROM, source(letter).getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  private static String source(ConsumerRecord<String, byte[]> record) {
    return record.topic() + "/" + record.partition() + "@" + record.offset();
  }
}
