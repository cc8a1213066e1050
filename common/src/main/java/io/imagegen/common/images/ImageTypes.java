package io.imagegen.common.images;

import io.vertx.core.buffer.Buffer;
import java.util.Base64;

/**
 * Image formats told apart by their first bytes. Stored inputs carry no content type and vendors answer JPEG or PNG
 * depending on the model, so the bytes are the only reliable label.
 */
public final class ImageTypes {
  /** Bytes needed to recognise every format below (WebP's marker ends at offset 12). */
  private static final int HEADER = 12;

  private ImageTypes() {
  }

  /** The media type of {@code bytes}, or {@code null} when they are not a PNG, JPEG, WebP or GIF image. */
  public static String sniff(byte[] bytes) {
    // Only the header matters; copying a whole multi-megabyte image into a Buffer would be waste.
    return sniff(Buffer.buffer(java.util.Arrays.copyOf(bytes, Math.min(bytes.length, HEADER))));
  }

  /** The media type of {@code bytes}, or {@code null} when they are not a PNG, JPEG, WebP or GIF image. */
  public static String sniff(Buffer bytes) {
    if (starts(bytes, 0, 0x89, 'P', 'N', 'G')) {
      return "image/png";
    }
    if (starts(bytes, 0, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (starts(bytes, 0, 'R', 'I', 'F', 'F') && starts(bytes, 8, 'W', 'E', 'B', 'P')) {
      return "image/webp";
    }
    if (starts(bytes, 0, 'G', 'I', 'F', '8')) {
      return "image/gif";
    }
    return null;
  }

  /** The file extension (without the dot) for one of the media types above; {@code png} for anything else. */
  public static String extension(String contentType) {
    return switch (contentType) {
      case "image/jpeg" -> "jpg";
      case "image/webp" -> "webp";
      case "image/gif" -> "gif";
      default -> "png";
    };
  }

  /** The media type of {@code bytes}, PNG when unrecognised (vendors need some type for an inline input). */
  public static String sniffOrPng(Buffer bytes) {
    String type = sniff(bytes);
    return type == null ? "image/png" : type;
  }

  /** {@code data:image/<format>;base64,...}, the inline form vendors accept for input images; PNG when unrecognised. */
  public static String dataUrl(Buffer bytes) {
    return "data:" + sniffOrPng(bytes) + ";base64,"
        + Base64.getEncoder().encodeToString(bytes.getBytes());
  }

  private static boolean starts(Buffer bytes, int offset, int... expected) {
    if (bytes.length() < offset + expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if ((bytes.getByte(offset + i) & 0xFF) != expected[i]) {
        return false;
      }
    }
    return true;
  }
}
