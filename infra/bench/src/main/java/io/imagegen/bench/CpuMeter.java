package io.imagegen.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Where the CPU went during a measurement: cores used by this JVM (api-service, workers and the load generator),
 * by the Kafka broker and by S3Proxy (the child JVMs), and inside this JVM by thread family. On a 2-core machine this
 * is what explains most ratios.
 */
final class CpuMeter {
  /** Threads that ran load-generator code, so their CPU is not blamed on the services. */
  static final Set<Long> GENERATOR_THREADS = ConcurrentHashMap.newKeySet();

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long startNanos = System.nanoTime();
  private final Map<String, Long> processStart = processCpu();
  private final Map<Long, Long> threadStart = threadCpu();
  private final long allocatedStart = allocated();

  static CpuMeter start() {
    return new CpuMeter();
  }

  /** Cores used since {@link #start()}: per process, then this JVM's thread families (prefixed "jvm:"). */
  Map<String, Double> stop() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Map<String, Double> cores = new LinkedHashMap<>();
    // Not cores, but it explains the GC pauses: what this JVM allocated per second (all threads, MB/s).
    cores.put("jvm-alloc-MB/s", (allocated() - allocatedStart) / 1048576.0 / seconds);
    processCpu().forEach((name, nanos) -> cores.put(name, (nanos - processStart.getOrDefault(name, 0L)) / 1e9 / seconds));
    Map<Long, String> names = new HashMap<>();
    long[] ids = THREADS.getAllThreadIds();
    for (ThreadInfo info : THREADS.getThreadInfo(ids)) {
      if (info != null) {
        names.put(info.getThreadId(), info.getThreadName());
      }
    }
    Map<String, Double> families = new HashMap<>();
    threadCpu().forEach((id, nanos) -> {
      String family = GENERATOR_THREADS.contains(id) ? "load-generator" : family(names.getOrDefault(id, "?"));
      families.merge(family, (nanos - threadStart.getOrDefault(id, 0L)) / 1e9 / seconds, Double::sum);
    });
    families.entrySet().stream().filter(e -> e.getValue() >= 0.01)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> cores.put("jvm:" + e.getKey(), e.getValue()));
    return cores;
  }

  /**
   * Cores the system under test used: every process (this JVM, broker, S3 server, fake upstream) minus the load
   * generator's own threads. Times 1000 over a rate, it is the CPU-milliseconds one request or job costs.
   */
  static double serviceCores(Map<String, Double> cores) {
    double sum = 0;
    for (Map.Entry<String, Double> e : cores.entrySet()) {
      if (!e.getKey().startsWith("jvm") && !e.getKey().equals("jvm-alloc-MB/s")) {
        sum += e.getValue();
      }
    }
    return sum - cores.getOrDefault("jvm:load-generator", 0.0);
  }

  /** CPU-milliseconds per operation at {@code perSecond} operations a second. */
  static double msPer(Map<String, Double> cores, double perSecond) {
    return perSecond > 0 ? serviceCores(cores) * 1000 / perSecond : Double.NaN;
  }

  static String summary(Map<String, Double> cores) {
    return cores.entrySet().stream().filter(e -> !e.getKey().startsWith("jvm:") || e.getValue() >= 0.05)
        .filter(e -> !e.getKey().equals("jvm-alloc-MB/s"))
        .limit(7).map(e -> String.format("%s %.2f", e.getKey().replace("jvm:", ""), e.getValue()))
        .collect(Collectors.joining(", ", "CPU cores: ", ""))
        + String.format("; bench JVM allocates %.0f MB/s", cores.getOrDefault("jvm-alloc-MB/s", 0.0));
  }

  static JsonObject toJson(Map<String, Double> cores) {
    JsonObject json = new JsonObject();
    cores.forEach((name, value) -> json.put(name, Math.round(value * 1000) / 1000.0));
    return json;
  }

  /** "vert.x-eventloop-thread-3" and "aws-java-sdk-NettyEventLoop-2-1" become their family name. */
  private static String family(String thread) {
    return thread.replaceAll("[-_ ]?\\d+([-_]\\d+)*$", "");
  }

  private static Map<String, Long> processCpu() {
    Map<String, Long> cpu = new LinkedHashMap<>();
    cpu.put("bench-jvm", cpuNanos(ProcessHandle.current()));
    ProcessHandle.current().children().forEach(child -> {
      String command = commandLine(child);
      String name = command.contains("FakeUpstreamMain") ? "fake-upstream" : command.contains("kafka.Kafka")
          ? "kafka" : command.contains("s3proxy") ? "s3proxy" : null;
      if (name != null) {
        cpu.merge(name, cpuNanos(child), Long::sum);
      }
    });
    return cpu;
  }

  /** From /proc: ProcessHandle leaves out the command line of a child whose arguments are long (the fake's). */
  private static String commandLine(ProcessHandle process) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
          StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return process.info().commandLine().orElse("");
    }
  }

  /** User plus system time from /proc/<pid>/stat (clock ticks of 10 ms on Linux), else what ProcessHandle says. */
  private static long cpuNanos(ProcessHandle process) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // Fields after the command name, which is in parentheses and may contain spaces: utime and stime are 14, 15.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
  }

  /** Bytes allocated by live threads so far (HotSpot's extension; 0 elsewhere). */
  private static long allocated() {
    if (THREADS instanceof com.sun.management.ThreadMXBean hotspot) {
      long sum = 0;
      for (long bytes : hotspot.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
        sum += Math.max(0, bytes);
      }
      return sum;
    }
    return 0;
  }

  private static Map<Long, Long> threadCpu() {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long nanos = THREADS.getThreadCpuTime(id);
      if (nanos > 0) {
        cpu.put(id, nanos);
      }
    }
    return cpu;
  }
}
