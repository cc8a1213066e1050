package io.imagegen.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * P4 (demo stand-in): memory with many large results in flight. The real scenario needs a fake upstream returning
 * 4 MB images; until it exists, 200 demo jobs at 2048x2048 are in flight at once (the model waits 2 s so all are
 * picked up before any renders) and the worker's heap is sampled every 20 ms, plus the JVM's peak RSS (VmHWM). The
 * JVM also hosts the api-service and the load generator, so figures are reported above a baseline taken just before.
 */
final class P4Memory implements Scenario {
  private static final int JOBS = 200;
  /** Rendering 2048x2048 costs about half a core-second each here: the smoke run keeps it short. */
  private static final int QUICK_JOBS = 30;

  @Override
  public String id() {
    return "P4";
  }

  @Override
  public String title() {
    return "memory with 200 jobs in flight (DEMO STAND-IN: 2048x2048 demo images, not 4 MB upstream images)";
  }

  @Override
  public void run(Context ctx, Outcome out) throws Exception {
    int jobs = ctx.pick(JOBS, QUICK_JOBS);
    Map<String, String> env = Map.of("IMAGEGEN_DEMO_LATENCY", "2s", "IMAGEGEN_WORKER_MAX_IN_FLIGHT", "256");
    try (BenchStack stack = BenchStack.start(ctx, id(), env);
        GroupProgress progress = new GroupProgress(stack.bootstrapServers(), stack.groupId())) {
      Prefill.submit(ctx.vertx(), ctx.api(stack), jobs, 32, i -> BenchApi.body("bench memory " + i, "2048x2048"));
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
      stack.addWorkers(1, Map.of());
      long done = progress.awaitCommitted(jobs, ctx.pick(180, 120));
      double seconds = (System.nanoTime() - begin) / 1e9;
      sampler.interrupt();
      sampler.join();
      long hwm = procStatus("VmHWM");
      long poolPeaks = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      String label = "demo stand-in (2048x2048 PNG), " + done + "/" + jobs + " jobs in " + String.format("%.1f", seconds)
          + " s; one JVM hosts api + worker + generator";
      out.detail("heap_before_mb", mb(heapBefore));
      out.detail("peak_heap_mb", mb(peakHeap.get()));
      out.detail("sum_of_heap_pool_peaks_mb", mb(poolPeaks));
      out.detail("rss_before_mb", mb(rssBefore));
      out.detail("peak_rss_mb", mb(peakRss.get()));
      out.detail("vm_hwm_mb", mb(hwm));
      out.detail("vm_hwm_reset", hwmReset);
      out.detail("max_heap_mb", mb(Runtime.getRuntime().maxMemory()));
      Log.info("  heap %.0f -> peak %.0f MB (pool peaks %.0f MB); RSS %.0f -> peak %.0f MB, VmHWM %.0f MB; %s",
          mb(heapBefore), mb(peakHeap.get()), mb(poolPeaks), mb(rssBefore), mb(peakRss.get()), mb(hwm), label);
      out.add(Result.info(id(), "peak heap used (sampled)", mb(peakHeap.get()), "MB",
          String.format("%.0f MB before the worker started; %s", mb(heapBefore), label)));
      out.add(Result.info(id(), "peak heap above baseline per job", mb(peakHeap.get() - heapBefore) / jobs, "MB",
          "heap used includes garbage not yet collected (G1, max heap "
              + mb(Runtime.getRuntime().maxMemory()) + " MB)"));
      out.add(Result.info(id(), "peak RSS of the JVM (VmHWM)", mb(hwm), "MB", hwmReset
          ? String.format("VmHWM reset just before; RSS was %.0f MB", mb(rssBefore))
          : "VmHWM could not be reset: peak since JVM start"));
    }
  }

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
