package io.imagegen.worker.providers;

/** For each open container, whether it is an object and whether it is the value of a parent key: two bit stacks. */
final class JsonContainers {
  private static final int MAX_TRACKED = 64;
  private long objects;
  private long parents;
  private int depth;

  void push(boolean object, boolean parent) {
    if (depth < MAX_TRACKED) {
      long bit = 1L << depth;
      objects = object ? objects | bit : objects & ~bit;
      parents = parent ? parents | bit : parents & ~bit;
    }
    depth++;
  }

  void pop() {
    if (depth > 0) {
      depth--;
    }
  }

  /** Deeper than tracked counts as neither: no vendor nests its images that deep. */
  boolean inObject() {
    return top(objects);
  }

  boolean inParent() {
    return top(parents);
  }

  private boolean top(long bits) {
    return depth > 0 && depth <= MAX_TRACKED && (bits & 1L << (depth - 1)) != 0;
  }
}
