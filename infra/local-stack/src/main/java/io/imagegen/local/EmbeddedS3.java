package io.imagegen.local;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real S3-compatible server (S3Proxy on a filesystem blob store), run as its own JVM from the bundled jar, behind
 * an {@link AtomicS3Gateway} that gives it the atomic conditional writes of AWS S3 and MinIO.
 */
public final class EmbeddedS3 implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final int port;
  private final int backendPort;
  private final String accessKey;
  private final String secretKey;
  private final ChildProcess server;
  private AtomicS3Gateway gateway;

  private EmbeddedS3(Path jar, Path dir, int port, int backendPort, String accessKey, String secretKey) {
    this.port = port;
    this.backendPort = backendPort;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.server = new ChildProcess("s3proxy", List.of("-Xmx512m", "-jar", jar.toAbsolutePath().toString(),
        "--properties", dir.resolve("s3proxy.conf").toString()), dir.resolve("s3proxy.log"));
  }

  /** Starts S3Proxy on {@code port} (0 picks a free one), storing blobs under {@code dir}. */
  public static EmbeddedS3 start(Path jar, Path dir, int port, String accessKey, String secretKey)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("S3Proxy jar not found at " + jar + ": run 'mvn -DskipTests package' first");
    }
    int actualPort = port == 0 ? Ports.free() : port;
    int backendPort = Ports.free();
    Files.createDirectories(dir.resolve("blobs"));
    Files.writeString(dir.resolve("s3proxy.conf"), String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + backendPort,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + accessKey,
        "s3proxy.credential=" + secretKey,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + dir.resolve("blobs").toAbsolutePath(),
        ""));
    EmbeddedS3 s3 = new EmbeddedS3(jar, dir, actualPort, backendPort, accessKey, secretKey);
    s3.startServer();
    try {
      s3.gateway = AtomicS3Gateway.start(actualPort, backendPort);
    } catch (Exception e) {
      s3.stop();
      throw new IOException("could not start the S3 gateway on port " + actualPort + ": " + e.getMessage(), e);
    }
    return s3;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  /** Starts the server (again, after {@link #stop()}) and waits until it answers HTTP. */
  public void startServer() throws IOException, InterruptedException {
    server.start();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IOException("S3Proxy exited during start-up\n" + server.logTail());
      }
      try {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + backendPort).toURL()
            .openConnection();
        connection.setConnectTimeout(500);
        connection.setReadTimeout(1000);
        connection.getResponseCode();
        connection.disconnect();
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    server.kill();
    throw new IOException("S3Proxy not ready within " + READY_TIMEOUT + "\n" + server.logTail());
  }

  /** Stops the S3 server; the gateway stays up and answers 502 meanwhile, like an unreachable store. */
  public void stop() {
    server.stop(Duration.ofSeconds(10));
  }

  /**
   * Opens the crash window between image upload and status write: task record writes that follow a task's image
   * upload hang until {@link #releaseHeldWrites()}, which fails them without storing anything.
   */
  public void holdStatusWritesAfterImages() {
    gateway.holdStatusWritesAfterImages();
  }

  /** How many task record writes are hanging in the crash window. */
  public int heldWrites() {
    return gateway.heldWrites();
  }

  /** Closes the crash window; the held writes never reach the store. */
  public void releaseHeldWrites() {
    gateway.releaseHeldWrites();
  }

  /** Requests for objects of {@code bucket} so far, per method and first key segment, e.g. {@code "PUT tasks"}. */
  public Map<String, Long> requests(String bucket) {
    return gateway.requests(bucket);
  }

  /** Task record writes with a terminal status that the store accepted in {@code bucket}, per task id. */
  public Map<String, Integer> terminalTaskWrites(String bucket) {
    return gateway.terminalWrites(bucket);
  }

  /** Task record reads (GETs) made in {@code bucket} so far, by any service. */
  public long taskRecordReads(String bucket) {
    return gateway.taskReads(bucket);
  }

  @Override
  public void close() {
    stop();
    if (gateway != null) {
      gateway.close();
    }
  }
}
