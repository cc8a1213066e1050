package io.imagegen.faults;

import io.imagegen.local.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * One fault scenario's services as separate processes (an api-service, any number of worker-services), its client
 * and its checker. Closing it stops whatever is still running.
 */
final class Scenario implements AutoCloseable {
  private final String name;
  private final Path dir;
  private final Map<String, String> env;
  private final FaultStack stack;
  private final List<ServiceProcess> workers = new ArrayList<>();
  private final List<ServiceProcess> stopped = new ArrayList<>();
  private ServiceProcess api;
  private int apiPort;
  private int started;
  private Client client;
  private Checker checker;

  Scenario(String name, Path dir, Map<String, String> env, FaultStack stack) {
    this.name = name;
    this.dir = dir;
    this.env = env;
    this.stack = stack;
  }

  String name() {
    return name;
  }

  Map<String, String> env() {
    return env;
  }

  String jobsTopic() {
    return env.get("IMAGEGEN_KAFKA_JOBS_TOPIC");
  }

  String bucket() {
    return env.get("IMAGEGEN_S3_BUCKET");
  }

  /** Starts (or, after a crash, restarts on the same port) the api-service. */
  ServiceProcess startApi() throws Exception {
    api = ServiceProcess.api("api-" + name, env, apiPort, dir.resolve("api-" + started++ + ".log")).start();
    apiPort = api.base().getPort();
    if (client == null) {
      client = new Client(api.base(), FaultStack.API_KEY);
      checker = new Checker(this, stack, client);
    }
    return api;
  }

  ServiceProcess api() {
    return api;
  }

  /** Starts one more worker-service process with {@code overrides} on top of the scenario's environment. */
  ServiceProcess startWorker(Map<String, String> overrides) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.putAll(overrides);
    ServiceProcess worker = ServiceProcess.worker("worker-" + name + "-" + workers.size(), all, "-Xmx384m",
        dir.resolve("worker-" + started++ + ".log")).start();
    workers.add(worker);
    return worker;
  }

  ServiceProcess startWorker() throws Exception {
    return startWorker(Map.of());
  }

  /** Waits until every running worker consumes at least one partition of the jobs topic. */
  void awaitAssignments() {
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> workers.stream().allMatch(
        worker -> FaultSuite.assignedPartitions(worker, jobsTopic()) > 0));
  }

  /** Workers started and not yet retired with {@link #retire(ServiceProcess)}. */
  List<ServiceProcess> workers() {
    return List.copyOf(workers);
  }

  /** Forgets a worker that was killed or terminated, keeping it for {@link #close()}. */
  void retire(ServiceProcess worker) {
    workers.remove(worker);
    stopped.add(worker);
  }

  Client client() {
    return client;
  }

  Checker checker() {
    return checker;
  }

  @Override
  public void close() {
    workers.forEach(ServiceProcess::close);
    stopped.forEach(ServiceProcess::close);
    if (api != null) {
      api.close();
    }
    if (client != null) {
      client.close();
    }
  }
}
