package io.imagegen.worker.queue;

import io.imagegen.worker.deadletters.DeadLetter;

/**
 * What a finished job leaves for the consumer to do before its offset may be committed.
 *
 * @param deadLetter the dead letter to write first, or {@code null} when there is none
 */
public record JobOutcome(DeadLetter deadLetter) {
  /** Nothing left to do: the job's effect is durable. */
  public static final JobOutcome DONE = new JobOutcome(null);

  public static JobOutcome deadLettered(DeadLetter letter) {
    return new JobOutcome(letter);
  }
}
