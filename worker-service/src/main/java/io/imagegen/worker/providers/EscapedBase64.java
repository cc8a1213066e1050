package io.imagegen.worker.providers;

import io.vertx.core.buffer.Buffer;

/**
 * The inside of one JSON string holding base64, decoded as its bytes arrive: JSON escapes are resolved here, base64
 * by {@link ImageBase64}. Decoded bytes collect until {@link #take()} hands them on.
 */
final class EscapedBase64 {
  private final ImageBase64 decoder = new ImageBase64();
  private boolean escaped;
  private int unicodeDigits;
  private int unicodeValue;

  /** Starts a new value, just after its opening quote. */
  void reset() {
    decoder.reset();
    escaped = false;
    unicodeDigits = 0;
  }

  /**
   * One byte of the value; {@code true} when it is the closing quote, which ends the value.
   *
   * @throws IllegalArgumentException if the value is not base64 or holds a broken escape
   */
  boolean accept(int c) {
    if (unicodeDigits > 0) {
      int digit = Character.digit(c, 16);
      if (digit < 0) {
        throw new IllegalArgumentException("a broken \\u escape");
      }
      unicodeValue = unicodeValue << 4 | digit;
      if (--unicodeDigits == 0) {
        decoder.accept(unicodeValue); // some encoders (Gson) write '=' as \u003d
      }
      return false;
    }
    if (escaped) {
      escaped = false;
      switch (c) {
        case 'u' -> {
          unicodeDigits = 4;
          unicodeValue = 0;
        }
        case 'n' -> decoder.accept('\n'); // MIME-style line breaks, escaped as JSON requires
        case 'r' -> decoder.accept('\r');
        case 't' -> decoder.accept('\t');
        case 'b' -> decoder.accept('\b');
        case 'f' -> decoder.accept('\f');
        default -> decoder.accept(c); // \/ (PHP writes '/' so), \\ and \"
      }
      return false;
    }
    if (c == '\\') {
      escaped = true;
      return false;
    }
    if (c != '"') {
      decoder.accept(c);
      return false;
    }
    decoder.finish();
    return true;
  }

  /** The bytes decoded since the last call. */
  Buffer take() {
    return decoder.take();
  }
}
