package io.imagegen.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft Kafka broker run from the Maven Central artifacts collected by {@code infra/kafka-broker},
 * as its own JVM so that its dependencies never meet the services' and it can be killed like a real broker.
 */
public final class EmbeddedKafka implements AutoCloseable {
  /** Broker JVM heap: the measured footprint is 200-250 MB with the cleaner buffer shrunk below. */
  private static final String HEAP = "-Xmx512m";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Path lib;
  private final Path dir;
  private final int port;
  private final ChildProcess broker;

  private EmbeddedKafka(Path lib, Path dir, int port) {
    this.lib = lib;
    this.dir = dir;
    this.port = port;
    this.broker = new ChildProcess("kafka-broker", List.of(HEAP, "-cp", classpath(lib),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "kafka.Kafka", dir.resolve("server.properties").toString()),
        dir.resolve("broker.log"));
  }

  /** Formats storage under {@code dir} and starts the broker on {@code port} (0 picks free ports). */
  public static EmbeddedKafka start(Path lib, Path dir, int port) throws IOException, InterruptedException {
    if (!Files.isDirectory(lib)) {
      throw new IOException("Kafka broker runtime not found at " + lib + ": run 'mvn -DskipTests package' first");
    }
    int brokerPort = port == 0 ? Ports.free() : port;
    int controllerPort = Ports.free();
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("server.properties"), properties(dir.resolve("data"), brokerPort, controllerPort));
    ChildProcess.runToCompletion("kafka-storage-format", List.of("-cp", classpath(lib),
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "kafka.tools.StorageTool", "format",
            "-t", Uuid.randomUuid().toString(), "-c", dir.resolve("server.properties").toString(),
            "--ignore-formatted"),
        dir.resolve("format.log"), Duration.ofMinutes(1));
    EmbeddedKafka kafka = new EmbeddedKafka(lib, dir, brokerPort);
    kafka.startBroker();
    return kafka;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Starts the broker process (again, after {@link #stop()} or {@link #kill()}) and waits until it serves. */
  public void startBroker() throws IOException, InterruptedException {
    broker.start();
    awaitReady();
  }

  /** Graceful stop (SIGTERM). */
  public void stop() {
    broker.stop(Duration.ofSeconds(30));
  }

  /** Crash (SIGKILL). */
  public void kill() {
    broker.kill();
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
      while (System.nanoTime() < deadline) {
        if (!broker.isAlive()) {
          throw new IOException("Kafka broker exited during start-up\n" + broker.logTail());
        }
        try {
          admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
          return;
        } catch (Exception notYet) {
          Thread.sleep(200);
        }
      }
    }
    broker.kill();
    throw new IOException("Kafka broker not ready within " + READY_TIMEOUT + "\n" + broker.logTail());
  }

  private static String classpath(Path lib) {
    return lib.toAbsolutePath() + "/*";
  }

  private static String properties(Path data, int port, int controllerPort) {
    return String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + data.toAbsolutePath(),
        "num.partitions=12",
        // One node: every internal topic must be satisfiable by a single replica, or groups never form.
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=6",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        // A crashed or frozen worker's partitions move on after 10 s instead of the default 45 s, which keeps local
        // recovery and the fault suite quick; heartbeats every 2 s still leave room for a long GC pause.
        "group.consumer.min.session.timeout.ms=6000",
        "group.consumer.session.timeout.ms=10000",
        "group.consumer.min.heartbeat.interval.ms=1000",
        "group.consumer.heartbeat.interval.ms=2000",
        "auto.create.topics.enable=false",
        // The default 128 MB cleaner buffer would dominate the broker's heap.
        "log.cleaner.dedupe.buffer.size=2097152",
        "") ;
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "Kafka at " + bootstrapServers() + " (" + broker + ", lib " + lib + ", data " + dir + ")";
  }
}
