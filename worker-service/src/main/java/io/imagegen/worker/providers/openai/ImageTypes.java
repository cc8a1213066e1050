package io.imagegen.worker.providers.openai;

import java.util.Locale;

/** Media types of images going up (edit inputs) and coming back (results). */
final class ImageTypes {
  static final String PNG = "image/png";

  private ImageTypes() {
  }

  /** The media type of an OpenAI {@code output_format}, or {@code null} for an unknown one. */
  static String ofOutputFormat(Object format) {
    if (!(format instanceof String name)) {
      return null;
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "png" -> PNG;
      case "jpeg", "jpg" -> "image/jpeg";
      case "webp" -> "image/webp";
      default -> null;
    };
  }

  /**
   * The media type the bytes' signature shows, or {@code null}. Stored inputs carry no type, and OpenAI refuses
   * uploads whose declared type is not an image.
   */
  static String sniff(byte[] bytes) {
    if (startsWith(bytes, 0, 0x89, 'P', 'N', 'G')) {
      return PNG;
    }
    if (startsWith(bytes, 0, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (startsWith(bytes, 0, 'R', 'I', 'F', 'F') && startsWith(bytes, 8, 'W', 'E', 'B', 'P')) {
      return "image/webp";
    }
    if (startsWith(bytes, 0, 'G', 'I', 'F', '8')) {
      return "image/gif";
    }
    return null;
  }

  /** A file extension for {@code contentType}, for multipart file names. */
  static String extension(String contentType) {
    return switch (contentType) {
      case "image/jpeg" -> "jpg";
      case "image/webp" -> "webp";
      case "image/gif" -> "gif";
      default -> "png";
    };
  }

  private static boolean startsWith(byte[] bytes, int offset, int... signature) {
    if (bytes == null || bytes.length < offset + signature.length) {
      return false;
    }
    for (int i = 0; i < signature.length; i++) {
      if ((bytes[offset + i] & 0xFF) != signature[i]) {
        return false;
      }
    }
    return true;
  }
}
