package io.imagegen.api.tasks;

import io.vertx.core.json.JsonObject;

/** What the HTTP edge sends back: the body and whether the work is finished ({@code COMPLETE}) or still queued. */
public record Reply(Kind kind, JsonObject body) {
  /** Decides the HTTP status at the edge. */
  public enum Kind {
    /** A finished synchronous generation, or a task object. */
    COMPLETE,
    /** A synchronous request whose wait ran out: the body is the task object to poll. */
    STILL_RUNNING
  }

  static Reply complete(JsonObject body) {
    return new Reply(Kind.COMPLETE, body);
  }
}
