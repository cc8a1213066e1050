package io.imagegen.api.tasks;

/** A running watch on one task; cancel it when the client goes away. */
public interface Follow {
  void cancel();
}
