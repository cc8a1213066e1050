package io.imagegen.worker.providers;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Base64 image values as vendors write them, decoded one character at a time so that a value never has to be held
 * whole: the standard or the URL-safe alphabet, padding optional but never misplaced, whitespace (MIME line breaks)
 * skipped, and a data-URL header ({@code data:image/png;base64,}) that some relays put in front skipped. Decoded
 * bytes collect here until {@link #take()} hands them on.
 */
final class ImageBase64 {
  private static final byte[] DATA_URL = "data:".getBytes(StandardCharsets.US_ASCII);
  /** A data URL's media-type header is short; a longer one means the value is something else. */
  private static final int MAX_DATA_URL_HEADER = 256;
  private static final int[] SEXTETS = sextets();

  private int quad;
  private int sextets;
  private int pads;
  /** How much of "data:" the value has started with; -1 once it is known whether it is a data URL. */
  private int dataUrlMatched;
  /** Characters of a data-URL header skipped so far, or -1 when not inside one. */
  private int header = -1;
  private byte[] out = new byte[4096];
  private int outLength;

  /** The bytes of a whole {@code value}. */
  static byte[] decode(CharSequence value) {
    ImageBase64 decoder = new ImageBase64();
    for (int i = 0; i < value.length(); i++) {
      decoder.accept(value.charAt(i));
    }
    decoder.finish();
    return Arrays.copyOf(decoder.out, decoder.outLength);
  }

  /** Starts a new value. */
  void reset() {
    quad = 0;
    sextets = 0;
    pads = 0;
    dataUrlMatched = 0;
    header = -1;
    outLength = 0;
  }

  /**
   * One character of the value, JSON escapes already resolved.
   *
   * @throws IllegalArgumentException when it cannot belong to a base64 value here
   */
  void accept(int c) {
    if (header >= 0) {
      if (c == ',') {
        header = -1;
      } else if (++header > MAX_DATA_URL_HEADER) {
        throw new IllegalArgumentException("a data URL header longer than " + MAX_DATA_URL_HEADER + " characters");
      }
      return;
    }
    if (dataUrlMatched >= 0) {
      // "data" is valid base64 too: hold it back until the ':' decides.
      if (c == DATA_URL[dataUrlMatched]) {
        if (++dataUrlMatched == DATA_URL.length) {
          dataUrlMatched = -1;
          header = 0;
        }
        return;
      }
      releaseHeldPrefix();
    }
    decode(c);
  }

  /**
   * Ends the value, decoding its last partial group.
   *
   * @throws IllegalArgumentException when the value was cut short or badly padded
   */
  void finish() {
    if (header >= 0) {
      throw new IllegalArgumentException("a data URL without a payload");
    }
    releaseHeldPrefix();
    if (sextets == 1 || pads > 0 && sextets + pads != 4) {
      throw new IllegalArgumentException("the value ends inside a group of four characters");
    }
    if (sextets == 2) {
      emit(quad >> 4);
    } else if (sextets == 3) {
      emit(quad >> 10);
      emit(quad >> 2);
    }
    sextets = 0;
  }

  /** The bytes decoded since the last call, or {@code null} when there are none. */
  Buffer take() {
    if (outLength == 0) {
      return null;
    }
    Buffer bytes = Buffer.buffer(outLength).appendBytes(out, 0, outLength);
    outLength = 0;
    return bytes;
  }

  private void releaseHeldPrefix() {
    int held = Math.max(0, dataUrlMatched);
    dataUrlMatched = -1;
    for (int i = 0; i < held; i++) {
      decode(DATA_URL[i]);
    }
  }

  private void decode(int c) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      return;
    }
    if (c == '=') {
      // One or two pads complete a group of two or three characters; anything else is not base64.
      if (sextets < 2 || sextets + ++pads > 4) {
        throw new IllegalArgumentException("misplaced padding");
      }
      return;
    }
    int sextet = c < SEXTETS.length ? SEXTETS[c] : -1;
    if (sextet < 0) {
      throw new IllegalArgumentException("a character outside the base64 alphabet (code " + c + ")");
    }
    if (pads > 0) {
      throw new IllegalArgumentException("data after padding");
    }
    quad = quad << 6 | sextet;
    if (++sextets == 4) {
      emit(quad >> 16);
      emit(quad >> 8);
      emit(quad);
      quad = 0;
      sextets = 0;
    }
  }

  private void emit(int b) {
    if (outLength == out.length) {
      out = Arrays.copyOf(out, out.length * 2);
    }
    out[outLength++] = (byte) b;
  }

  private static int[] sextets() {
    int[] table = new int[128];
    Arrays.fill(table, -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      table[alphabet.charAt(i)] = i;
    }
    // The URL-safe alphabet's two letters: unambiguous, and some relays use it.
    table['-'] = 62;
    table['_'] = 63;
    return table;
  }
}
