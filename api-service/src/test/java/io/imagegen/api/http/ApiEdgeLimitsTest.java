package io.imagegen.api.http;

import static io.imagegen.api.http.EdgeServer.readUntilClosed;
import static io.imagegen.api.http.EdgeServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagegen.common.testing.LogCapture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connection limits of the HTTP edge, attacked with raw sockets against a real server. */
class ApiEdgeLimitsTest {
  private EdgeServer server;

  private EdgeServer start(Map<String, String> variables) throws Exception {
    server = new EdgeServer(EdgeServer.limits(variables), 200, 400, null);
    return server;
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void socketsThatNeverSendARequestAreClosedAfterTheHeaderTimeout() throws Exception {
    start(Map.of("IMAGEGEN_HTTP_HEADER_TIMEOUT", "1s"));
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      idle.add(server.connect());
    }
    long started = System.nanoTime();
    for (Socket socket : idle) {
      assertThat(readUntilClosed(socket)).isEmpty();
      socket.close();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void headersTrickledByteByByteAreCutOffAtTheHeaderTimeout() throws Exception {
    start(Map.of("IMAGEGEN_HTTP_HEADER_TIMEOUT", "1s"));
    assertTrickleIsCut(false);
  }

  @Test
  void aKeptAliveConnectionTricklingItsNextRequestIsCutOffAtTheIdleTimeout() throws Exception {
    start(Map.of("IMAGEGEN_HTTP_HEADER_TIMEOUT", "30s", "IMAGEGEN_HTTP_IDLE_TIMEOUT", "1s"));
    assertTrickleIsCut(true);
  }

  /** Sends a header byte every 100 ms, which keeps any idle timer from firing, and expects to be cut off. */
  private void assertTrickleIsCut(boolean afterOneRequest) throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    AtomicInteger responses = new AtomicInteger();
    NetSocket socket = server.vertx().createNetClient().connect(server.port(), "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    socket.closeHandler(v -> closed.set(true));
    socket.handler(data -> responses.addAndGet(data.toString().split("HTTP/1.1 200", -1).length - 1));
    if (afterOneRequest) {
      socket.write("GET /health HTTP/1.1\r\nHost: api\r\n\r\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> responses.get() == 1);
    }
    byte[] request = ("GET /health HTTP/1.1\r\nHost: api\r\n" + "X-Padding: slow\r\n".repeat(100) + "\r\n").getBytes();
    AtomicInteger sent = new AtomicInteger();
    long started = System.nanoTime();
    long timer = server.vertx().setPeriodic(100, id -> {
      if (!closed.get() && sent.get() < request.length) {
        socket.write(Buffer.buffer(new byte[] {request[sent.getAndIncrement()]}));
      }
    });
    try {
      await().atMost(Duration.ofSeconds(10)).untilTrue(closed);
    } finally {
      server.vertx().cancelTimer(timer);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(sent.get()).isLessThan(request.length);
    assertThat(responses.get()).isEqualTo(afterOneRequest ? 1 : 0);
  }

  @Test
  void connectionsBeyondTheMaximumAreClosedAtOnceAndAdmittedAgainWhenOneLeaves() throws Exception {
    start(Map.of("IMAGEGEN_HTTP_MAX_CONNECTIONS", "5", "IMAGEGEN_HTTP_HEADER_TIMEOUT", "60s"));
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(server.connect());
    }
    try (Socket excess = server.connect()) {
      long started = System.nanoTime();
      send(excess, "GET /health HTTP/1.1\r\nHost: api\r\n\r\n");
      assertThat(readUntilClosed(excess)).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    } catch (SocketException reset) {
      // A reset is as good a refusal as an orderly close.
    }
    held.remove(0).close();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      try (Socket admitted = server.connect()) {
        send(admitted, "GET /health HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n");
        assertThat(readUntilClosed(admitted)).startsWith("HTTP/1.1 200");
      }
    });
    for (Socket socket : held) {
      socket.close();
    }
  }

  @Test
  void aBodyThatStopsArrivingIsAnswered408AndTheConnectionClosed() throws Exception {
    start(Map.of("IMAGEGEN_HTTP_BODY_TIMEOUT", "1s"));
    try (Socket socket = server.connect()) {
      send(socket, "POST /v1/images/generations HTTP/1.1\r\nHost: api\r\nAuthorization: Bearer " + EdgeServer.KEY
          + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"model\":");
      String answer = readUntilClosed(socket);
      assertThat(answer).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"");
    }
  }

  @Test
  void aRequestWithBothContentLengthAndChunkedIsRefusedAndTheConnectionClosed() throws Exception {
    start(Map.of());
    try (Socket socket = server.connect()) {
      send(socket, "POST /v1/images/generations HTTP/1.1\r\nHost: api\r\nAuthorization: Bearer " + EdgeServer.KEY
          + "\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "0\r\n\r\nGET /health HTTP/1.1\r\nHost: api\r\n\r\n");
      String answer = readUntilClosed(socket);
      assertThat(answer).startsWith("HTTP/1.1 400");
      // Nothing after the refusal is served: the smuggled request never reaches a handler.
      assertThat(answer.split("HTTP/1.1 ", -1)).hasSize(2);
    }
  }

  @Test
  void aClientHangingUpMidBodyIsNotLoggedAsAnError() throws Exception {
    start(Map.of());
    try (LogCapture log = LogCapture.start()) {
      for (int i = 0; i < 5; i++) {
        try (Socket socket = server.connect()) {
          send(socket, "POST /v1/images/generations HTTP/1.1\r\nHost: api\r\nAuthorization: Bearer "
              + EdgeServer.KEY + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
              + "{\"model\":\"demo\",\"prompt\":\"" + "x".repeat(5000));
        }
      }
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
          .until(() -> log.lines().stream().noneMatch(line -> line.startsWith("ERROR")));
    }
  }
}
