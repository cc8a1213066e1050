package io.imagegen.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.imagegen.fake.FakeUpstream;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * P4: memory with 200 jobs in flight whose upstream (the project's fake OpenAI-compatible server, in a JVM of its own so
 * that its buffers are not counted) answers each with a 4 MB base64 image after 2 s, so that all are picked up before
 * any answer arrives. The bench JVM's heap is sampled every 20 ms: used (garbage included) and, the figure the target
 * is about, what is left after each collection (what the worker really holds), plus the peak RSS (VmHWM). The JVM
 * also hosts the api-service and the load generator, so figures are reported beside a baseline taken just before.
 */
final class P4Memory implements Scenario {
  private static final int JOBS = 200;
  private static final int QUICK_JOBS = 40;
  private static final String MODEL = "bench-4mb";
  /** 3 MB of PNG is 4 MB of base64 in the JSON answer. */
  private static final int IMAGE_BYTES = 3 * 1024 * 1024;
  private static final double HEAP_TARGET_MB = 256;

  @Override
  public String id() {
    return "P4";
  }

  @Override
  public String title() {
    return "memory with 200 jobs in flight, each answered with a 4 MB base64 image";
  }

  @Override
  public void run(Context ctx, Outcome out) throws Exception {
    int jobs = ctx.pick(JOBS, QUICK_JOBS);
    try (FakeUpstreamProcess upstream = FakeUpstreamProcess.start(Path.of(System.getProperty(
        "imagegen.bench.out", "infra/bench/target")).resolve("bench-fake-upstream.log"))) {
      upstream.behave(new JsonObject().put("latency_ms", 2000).put("image_bytes", IMAGE_BYTES));
      Path catalog = Files.createTempFile("imagegen-bench-catalog-", ".json");
      Files.writeString(catalog, catalog(upstream.baseUrl()));
      Map<String, String> env = Map.of("IMAGEGEN_WORKER_MAX_IN_FLIGHT", "256",
          "IMAGEGEN_MODEL_CATALOG", catalog.toString(), "FAKE_UPSTREAM_KEY", FakeUpstream.API_KEY);
      try (BenchStack stack = BenchStack.start(ctx, id(), env);
          GroupProgress progress = new GroupProgress(stack.bootstrapServers(), stack.groupId())) {
        measure(ctx, out, stack, progress, jobs);
      } finally {
        Files.deleteIfExists(catalog);
      }
    }
  }

  private void measure(Context ctx, Outcome out, BenchStack stack, GroupProgress progress, int jobs)
      throws Exception {
    Prefill.submit(ctx.vertx(), ctx.api(stack), jobs, 32,
        i -> BenchApi.body(MODEL, "bench memory " + i, "1024x1024"));
    System.gc();
    long heapBefore = usedHeap();
    long rssBefore = procStatus("VmRSS");
    boolean hwmReset = resetPeakRss();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    AtomicLong peakHeap = new AtomicLong();
    AtomicLong peakRss = new AtomicLong();
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peakHeap.accumulateAndGet(usedHeap(), Math::max);
        peakRss.accumulateAndGet(procStatus("VmRSS"), Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-memory-sampler");
    sampler.setDaemon(true);
    sampler.start();
    long begin = System.nanoTime();
    long done;
    long live;
    try (AfterGc afterGc = new AfterGc()) {
      stack.addWorkers(1, Map.of());
      done = progress.awaitCommitted(jobs, ctx.pick(300, 120));
      live = afterGc.peak();
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    sampler.interrupt();
    sampler.join();
    long hwm = procStatus("VmHWM");
    String label = done + "/" + jobs + " jobs of 4 MB base64 in " + String.format("%.1f", seconds)
        + " s; one JVM hosts api + worker + generator";
    out.detail("heap_before_mb", mb(heapBefore));
    out.detail("peak_heap_mb", mb(peakHeap.get()));
    out.detail("peak_heap_after_gc_mb", mb(live));
    out.detail("rss_before_mb", mb(rssBefore));
    out.detail("peak_rss_mb", mb(peakRss.get()));
    out.detail("vm_hwm_mb", mb(hwm));
    out.detail("vm_hwm_reset", hwmReset);
    out.detail("max_heap_mb", mb(Runtime.getRuntime().maxMemory()));
    out.detail("jobs_committed", done);
    Log.info("  heap %.0f -> peak %.0f MB, after GC peak %.0f MB; RSS %.0f -> peak %.0f MB, VmHWM %.0f MB; %s",
        mb(heapBefore), mb(peakHeap.get()), mb(live), mb(rssBefore), mb(peakRss.get()), mb(hwm), label);
    if (done < jobs) {
      throw new IllegalStateException("only " + done + " of " + jobs + " jobs finished: " + label);
    }
    out.add(Result.atMost(id(), "peak heap after GC (held)", mb(live), "MB", HEAP_TARGET_MB,
        String.format("%.0f MB before the worker started; %s", mb(heapBefore), label)));
    out.add(Result.info(id(), "peak heap used (sampled)", mb(peakHeap.get()), "MB",
        "includes garbage not yet collected (G1, max heap " + mb(Runtime.getRuntime().maxMemory()) + " MB); "
            + "200 images held at once would be 800 MB of base64"));
    out.add(Result.info(id(), "peak RSS of the JVM (VmHWM)", mb(hwm), "MB", hwmReset
        ? String.format("VmHWM reset just before; RSS was %.0f MB", mb(rssBefore))
        : "VmHWM could not be reset: peak since JVM start"));
  }

  /** One model on the fake upstream, sized so that the fake's answer, not the gateway's limits, is the subject. */
  private static String catalog(String baseUrl) {
    return """
        {"models": [{"id": "%s", "name": "%s", "author": "bench", "slug": "%s",
          "provider": "openai-compatible", "upstream_model": "gpt-image-1",
          "base_url": "%s", "api_key_env": "FAKE_UPSTREAM_KEY", "async_only": true,
          "limits": {"max_n": 1, "max_prompt_length": 4000, "sizes": ["1024x1024"], "max_input_images": 0},
          "defaults": {"size": "1024x1024", "quality": "auto"},
          "params": {"quality": ["auto"]},
          "timeouts": {"attempt": "120s", "deadline": "10m"},
          "concurrency": {"max_in_flight": 1000, "requests_per_minute": 0},
          "pricing": {"per_image": 0, "currency": "USD"}}]}
        """.formatted(MODEL, MODEL, MODEL, baseUrl);
  }

  /**
   * Tracks the heap in use right after every collection (young ones included): what survived, i.e. what the
   * services really hold, as opposed to garbage that merely has not been collected yet.
   */
  private static final class AfterGc implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = (notification, handback) -> {
      if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
            (CompositeData) notification.getUserData());
        long after = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
            .filter(e -> HEAP_POOLS.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
        peak.accumulateAndGet(after, Math::max);
      }
    };

    AfterGc() {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(listener, null, null);
          emitters.add(emitter);
        }
      }
    }

    long peak() {
      return peak.get();
    }

    @Override
    public void close() throws Exception {
      for (NotificationEmitter emitter : emitters) {
        emitter.removeNotificationListener(listener);
      }
    }
  }

  private static final Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static double mb(long bytes) {
    return Math.round(bytes / 1048576.0 * 10) / 10.0;
  }

  /** A field of /proc/self/status in bytes (0 when not on Linux). */
  private static long procStatus(String field) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
      for (String line : lines) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux.
    }
    return 0;
  }

  /** Writing 5 to clear_refs resets the peak RSS (Linux 4.0+), so VmHWM covers this scenario only. */
  private static boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
