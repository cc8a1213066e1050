package io.imagegen.faults;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What one scenario cost, as the checker measured it after proving its invariants.
 *
 * @param refused submits answered with something other than 200 (nothing was promised for them)
 * @param others terminal outcomes other than SUCCEEDED, as {@code STATUS:code} → count
 * @param repeatCalls upstream calls beyond the first per accepted task (retries and redeliveries); for DashScope,
 *     vendor tasks created beyond the first, each one billed again
 * @param orphanImages stored images that no task result points at (an abandoned attempt's output)
 * @param unacknowledged task records in storage for which no submit was answered 200
 * @param recoverySeconds from the fault's mark to the last accepted task being terminal; -1 without a mark
 */
record Verdict(
    @JsonProperty("scenario") String scenario,
    @JsonProperty("accepted") int accepted,
    @JsonProperty("refused") int refused,
    @JsonProperty("succeeded") int succeeded,
    @JsonProperty("others") Map<String, Integer> others,
    @JsonProperty("upstream_calls") int upstreamCalls,
    @JsonProperty("repeat_calls") int repeatCalls,
    @JsonProperty("orphan_images") int orphanImages,
    @JsonProperty("unacknowledged_records") int unacknowledged,
    @JsonProperty("dead_letters") int deadLetters,
    @JsonProperty("recovery_seconds") double recoverySeconds,
    @JsonProperty("duration_seconds") double durationSeconds) {

  /** Failed or cancelled tasks. */
  int unsuccessful() {
    return others.values().stream().mapToInt(Integer::intValue).sum();
  }
}
