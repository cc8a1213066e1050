package io.imagegen.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Counts finished jobs from the outside: the workers commit, per partition, the offset after the last contiguous
 * finished job, so the sum of the group's committed offsets is the number of finished jobs. One Admin request every
 * 50 ms costs the broker next to nothing and touches neither the API nor S3, so it does not distort the run. The
 * count moves in steps of the commit interval; a least-squares slope over many samples evens that out.
 */
final class GroupProgress implements AutoCloseable {
  record Sample(long nanos, long committed) {
  }

  /** Between samples: often enough that a crossing is timed to within a commit interval. */
  private static final long SAMPLE_MILLIS = 50;

  private final Admin admin;
  private final String group;

  GroupProgress(String bootstrapServers, String group) {
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.CLIENT_ID_CONFIG, "imagegen-bench-progress"));
    this.group = group;
  }

  /** Sum of the committed offsets over every partition (0 before the first commit). */
  long committed() throws Exception {
    Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
        .get(10, TimeUnit.SECONDS);
    return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
  }

  /** True once the group has {@code members} members and each owns at least its fair share of {@code partitions}. */
  boolean balanced(int members, int partitions) throws Exception {
    ConsumerGroupDescription description;
    try {
      description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return false;
      }
      throw e;
    }
    return description.members().size() == members
        && description.members().stream().map(MemberDescription::assignment)
            .allMatch(a -> a.topicPartitions().size() >= partitions / members);
  }

  /** Waits for {@link #balanced}; returns the seconds it took. */
  double awaitBalanced(int members, int partitions, double timeoutSeconds) throws Exception {
    long begin = System.nanoTime();
    while (!balanced(members, partitions)) {
      if (System.nanoTime() - begin > timeoutSeconds * 1e9) {
        throw new IllegalStateException("consumer group " + group + " not balanced over " + members
            + " members within " + timeoutSeconds + " s");
      }
      Thread.sleep(100);
    }
    return (System.nanoTime() - begin) / 1e9;
  }

  /** Waits until at least {@code target} jobs are committed or {@code timeoutSeconds} pass. */
  long awaitCommitted(long target, double timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
    long committed = committed();
    while (committed < target && System.nanoTime() < deadline) {
      Thread.sleep(200);
      committed = committed();
    }
    return committed;
  }

  /**
   * Samples every 50 ms from {@code fromNanos} for at most {@code seconds}, stopping early once {@code stopAt} jobs
   * are committed (past that point the backlog is nearly gone and the workers are no longer saturated).
   */
  List<Sample> sample(long fromNanos, double seconds, long stopAt) throws Exception {
    long sleep = fromNanos - System.nanoTime();
    if (sleep > 0) {
      Thread.sleep(sleep / 1_000_000);
    }
    long end = System.nanoTime() + (long) (seconds * 1e9);
    List<Sample> samples = new ArrayList<>();
    while (true) {
      long committed = committed();
      long now = System.nanoTime();
      samples.add(new Sample(now, committed));
      if (now >= end || committed >= stopAt) {
        return samples;
      }
      Thread.sleep(SAMPLE_MILLIS);
    }
  }

  /** Least-squares slope of committed jobs over time, in jobs per second. */
  static double perSecond(List<Sample> samples) {
    int n = samples.size();
    if (n < 2) {
      return Double.NaN;
    }
    long t0 = samples.get(0).nanos();
    double meanT = 0;
    double meanC = 0;
    for (Sample s : samples) {
      meanT += (s.nanos() - t0) / 1e9;
      meanC += s.committed();
    }
    meanT /= n;
    meanC /= n;
    double cov = 0;
    double var = 0;
    for (Sample s : samples) {
      double dt = (s.nanos() - t0) / 1e9 - meanT;
      cov += dt * (s.committed() - meanC);
      var += dt * dt;
    }
    return var == 0 ? Double.NaN : cov / var;
  }

  static double spanSeconds(List<Sample> samples) {
    return samples.size() < 2 ? 0 : (samples.get(samples.size() - 1).nanos() - samples.get(0).nanos()) / 1e9;
  }

  @Override
  public void close() {
    admin.close();
  }
}
