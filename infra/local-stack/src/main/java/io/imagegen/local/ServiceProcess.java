package io.imagegen.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An api-service or worker-service in a JVM of its own, started from this JVM's class path, so that a fault suite or
 * a benchmark can kill -9, SIGTERM, SIGSTOP or measure it as the separate process it is in production.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final ChildProcess process;
  private final int port;
  private final Path log;

  private ServiceProcess(String name, String mainClass, String heap, Map<String, String> env, int port, Path log) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.process = new ChildProcess(name, List.of(heap, "-Djava.awt.headless=true", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), mainClass), log, withTextLogs(env));
  }

  /** Readable lines in the child's log file, unless {@code env} asks otherwise (docs/operations.md#logs). */
  private static Map<String, String> withTextLogs(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("IMAGEGEN_LOG_FORMAT", "text");
    return all;
  }

  /** A worker-service with {@code env}, its /health and /metrics on a free port; call {@link #start()}. */
  public static ServiceProcess worker(String name, Map<String, String> env, String heap, Path log) {
    int port = Ports.free();
    Map<String, String> all = new HashMap<>(env);
    all.put("IMAGEGEN_WORKER_HTTP_HOST", "127.0.0.1");
    all.put("IMAGEGEN_WORKER_HTTP_PORT", Integer.toString(port));
    return new ServiceProcess(name, "io.imagegen.worker.WorkerMain", heap, all, port, log);
  }

  /** An api-service with {@code env} on {@code port} (0 = a free one); call {@link #start()}. */
  public static ServiceProcess api(String name, Map<String, String> env, int port, Path log) {
    int chosen = port == 0 ? Ports.free() : port;
    Map<String, String> all = new HashMap<>(env);
    all.put("IMAGEGEN_HTTP_HOST", "127.0.0.1");
    all.put("IMAGEGEN_HTTP_PORT", Integer.toString(chosen));
    all.putIfAbsent("IMAGEGEN_API_METRICS_PORT", "0");
    return new ServiceProcess(name, "io.imagegen.api.ApiMain", "-Xmx512m", all, chosen, log);
  }

  /** Starts the JVM and returns once its /health answers 200 (a worker: once it consumes). */
  public ServiceProcess start() throws IOException, InterruptedException {
    process.start();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    HttpRequest health = HttpRequest.newBuilder(base().resolve("/health")).timeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(name + " exited during start-up\n" + process.logTail());
      }
      try {
        if (HTTP.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      // Polling a child process's port: no event to wait on, and start-up takes seconds, not milliseconds.
      Thread.sleep(100);
    }
    process.kill();
    throw new IOException(name + " was not healthy within " + READY_TIMEOUT + "\n" + process.logTail());
  }

  /** The API's base URL, or a worker's monitoring base URL. */
  public URI base() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, as in a crash: nothing drains, nothing is committed. */
  public void kill() {
    process.kill();
  }

  /** SIGTERM and the exit code once it exits within {@code timeout} (-1 if it did not; it is then killed). */
  public int terminate(Duration timeout) throws IOException, InterruptedException {
    process.signal("TERM");
    int code = process.awaitExit(timeout);
    if (code == -1) {
      process.kill();
    }
    return code;
  }

  /** SIGSTOP: the JVM freezes mid-flight, heartbeats included, as a long GC pause or a stalled VM would. */
  public void freeze() throws IOException, InterruptedException {
    process.signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public void thaw() throws IOException, InterruptedException {
    process.signal("CONT");
  }

  public Path log() {
    return log;
  }

  /** The last lines of its log, for a failure message. */
  public String logTail() {
    return process.logTail();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        // A frozen JVM cannot act on SIGTERM.
        thaw();
      } catch (IOException e) {
        process.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.kill();
      }
    }
    process.stop(Duration.ofSeconds(30));
  }

  @Override
  public String toString() {
    return process.toString();
  }
}
