package io.imagegen.worker.providers;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Just enough JSON structure to tell keys from values, objects from arrays, and the place of one
 * {@link StreamingImageBody.Field}: splits a body, chunk by chunk, into the bytes kept as they are and the decoded
 * values of the field. A tokenizer, not a validator.
 */
final class ImageFieldScanner {
  /** Where the scanned bytes go, in body order. */
  interface Sink {
    /** Bytes {@code from} to {@code to} of {@code data} are not part of a value of the field. */
    void keep(byte[] data, int from, int to);

    /** A value of the field starts (its opening quote was the last byte kept). */
    void valueStarted();

    /** Bytes decoded from the current value. */
    void valueBytes(Buffer decoded);

    /** The current value ended; its closing quote is the next byte kept. */
    void valueEnded();
  }

  private final StreamingImageBody.Field field;
  private final Sink sink;
  private final JsonContainers containers = new JsonContainers();
  private final byte[] key;
  private int keyLength;
  private boolean expectKey;
  private boolean inString;
  private boolean stringIsKey;
  private boolean escaped;
  private boolean keyIsField;
  private boolean keyIsParent;
  private boolean inValue;
  private final EscapedBase64 value = new EscapedBase64();

  ImageFieldScanner(StreamingImageBody.Field field, Sink sink) {
    this.field = field;
    this.sink = sink;
    this.key = new byte[field.longestKey()];
  }

  /**
   * Scans one chunk.
   *
   * @throws IllegalArgumentException if a value of the field is not base64
   */
  void scan(byte[] data) {
    int run = 0; // the first byte not yet kept
    for (int i = 0; i < data.length; i++) {
      int c = data[i] & 0xFF;
      if (inValue) {
        if (valueByte(c)) {
          run = i; // the closing quote is kept
        }
        continue;
      }
      if (inString) {
        stringByte(c);
        continue;
      }
      switch (c) {
        case '{' -> {
          containers.push(true, keyIsParent);
          expectKeyNext(true);
        }
        case '[' -> {
          containers.push(false, false);
          expectKeyNext(false);
        }
        case '}', ']' -> {
          containers.pop();
          expectKeyNext(false);
        }
        case ',' -> expectKeyNext(containers.inObject());
        case ':' -> expectKey = false;
        case '"' -> {
          if (expectKey && containers.inObject()) {
            startString(true);
          } else if (keyIsField && containers.inObject() && (field.parents().isEmpty() || containers.inParent())) {
            sink.keep(data, run, i + 1);
            startValue();
            run = i + 1;
          } else {
            startString(false);
          }
        }
        default -> {
          // Numbers, literals and whitespace need no tracking.
        }
      }
    }
    if (inValue) {
      sink.valueBytes(value.take());
    } else {
      sink.keep(data, run, data.length);
    }
  }

  private void expectKeyNext(boolean expected) {
    expectKey = expected;
    keyIsField = false;
    keyIsParent = false;
  }

  private void startString(boolean isKey) {
    inString = true;
    stringIsKey = isKey;
    escaped = false;
    keyLength = 0;
  }

  private void stringByte(int c) {
    if (escaped) {
      escaped = false;
      keyLength = -1; // an escaped key never matches: vendors spell their field names plainly
      return;
    }
    if (c == '\\') {
      escaped = true;
    } else if (c == '"') {
      inString = false;
      if (stringIsKey) {
        String name = keyLength < 0 ? "" : new String(key, 0, keyLength, StandardCharsets.UTF_8);
        keyIsField = keyLength >= 0 && field.name().equals(name);
        keyIsParent = keyLength >= 0 && field.parents().contains(name);
      }
    } else if (stringIsKey && keyLength >= 0) {
      if (keyLength < key.length) {
        key[keyLength++] = (byte) c;
      } else {
        keyLength = -1; // longer than any name we look for
      }
    }
  }

  private void startValue() {
    inValue = true;
    value.reset();
    sink.valueStarted();
  }

  /** One byte of a value of the field; {@code true} when it is the closing quote. */
  private boolean valueByte(int c) {
    if (!value.accept(c)) {
      return false;
    }
    sink.valueBytes(value.take());
    inValue = false;
    sink.valueEnded();
    expectKeyNext(false);
    return true;
  }
}
