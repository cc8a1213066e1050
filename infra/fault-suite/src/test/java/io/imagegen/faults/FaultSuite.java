package io.imagegen.faults;

import io.imagegen.fake.Behaviour;
import io.imagegen.local.ServiceProcess;
import java.io.File;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/** One broker, one S3 server and one fake upstream per test class; every scenario brings its own services. */
abstract class FaultSuite {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static FaultStack stack;

  /** Under target/faults/{class}, not a temporary folder: the services' logs of a failed run are the evidence. */
  @BeforeAll
  static void startTheInfrastructure(TestInfo test) throws Exception {
    Path dir = Path.of("target", "faults", test.getTestClass().orElseThrow().getSimpleName()).toAbsolutePath();
    if (Files.exists(dir)) {
      try (Stream<Path> old = Files.walk(dir)) {
        old.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
    stack = FaultStack.start(Files.createDirectories(dir));
  }

  @AfterAll
  static void stopTheInfrastructure() {
    if (stack != null) {
      stack.close();
    }
  }

  /** The upstream answering every call well, after {@code latency}. */
  static Behaviour latency(Duration latency) {
    return Behaviour.normal().withLatency(latency);
  }

  /** Jobs a worker holds right now, from its /metrics; 0 if it does not answer. */
  static int inFlight(ServiceProcess worker) {
    return (int) metric(worker, "imagegen_worker_jobs_in_flight{").mapToDouble(
        line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  /** Partitions of {@code topic} a worker consumes (it reports a lag for each); 0 if it does not answer. */
  static int assignedPartitions(ServiceProcess worker, String topic) {
    return (int) metric(worker, "imagegen_worker_consumer_lag{").filter(
        line -> line.contains("topic=\"" + topic + "\"")).count();
  }

  private static Stream<String> metric(ServiceProcess worker, String prefix) {
    try {
      String metrics = HTTP.send(HttpRequest.newBuilder(worker.base().resolve("/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
      return metrics.lines().filter(line -> line.startsWith(prefix));
    } catch (Exception unreachable) {
      return Stream.empty();
    }
  }
}
