package io.imagegen.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A JVM started by the local stack, with its output in a log file and a stop that escalates from TERM to KILL. */
final class ChildProcess implements AutoCloseable {
  private final String name;
  private final List<String> command;
  private final Path log;
  private final Map<String, String> env;
  private Process process;

  ChildProcess(String name, List<String> javaArgs, Path log) {
    this(name, javaArgs, log, Map.of());
  }

  /** @param env variables added to the inherited environment */
  ChildProcess(String name, List<String> javaArgs, Path log, Map<String, String> env) {
    this.name = name;
    this.env = Map.copyOf(env);
    this.command = new ArrayList<>();
    this.command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    this.command.addAll(javaArgs);
    this.log = log;
  }

  /** Runs the command to completion (for one-shot tools), failing with the log's tail on a non-zero exit. */
  static void runToCompletion(String name, List<String> javaArgs, Path log, Duration timeout) throws IOException,
      InterruptedException {
    ChildProcess tool = new ChildProcess(name, javaArgs, log);
    tool.start();
    if (!tool.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      tool.kill();
      throw new IOException(name + " did not finish within " + timeout + "\n" + tool.logTail());
    }
    if (tool.process.exitValue() != 0) {
      throw new IOException(name + " exited with " + tool.process.exitValue() + "\n" + tool.logTail());
    }
  }

  void start() throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    process = builder
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
  void stop(Duration grace) {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  /** Sends a POSIX signal by name ({@code STOP}, {@code CONT}, ...) through {@code kill}, which every Linux has. */
  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** The exit code, waiting up to {@code timeout} for it; -1 if still running. */
  int awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** SIGKILL: no chance to clean up, as in a crash. */
  void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return "--- last lines of " + log + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }

  @Override
  public String toString() {
    return name + (process == null ? "" : " (pid " + process.pid() + ")");
  }
}
