package io.imagegen.worker.providers.dashscope;

import java.util.Locale;

/** The media type of a downloaded result; the bytes decide, since signed storage URLs rarely say honestly. */
final class ImageTypes {
  private static final String PNG = "image/png";

  private ImageTypes() {
  }

  /** {@code image/png}, {@code image/jpeg} or {@code image/webp} from the magic bytes, else the URL, else PNG. */
  static String of(byte[] bytes, String url) {
    if (startsWith(bytes, 0, 0x89, 'P', 'N', 'G')) {
      return PNG;
    }
    if (startsWith(bytes, 0, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (startsWith(bytes, 0, 'R', 'I', 'F', 'F') && startsWith(bytes, 8, 'W', 'E', 'B', 'P')) {
      return "image/webp";
    }
    return fromUrl(url);
  }

  private static String fromUrl(String url) {
    if (url == null) {
      return PNG;
    }
    // Vendor URLs are pre-signed: the extension sits before the query string.
    int end = url.indexOf('?');
    String path = (end < 0 ? url : url.substring(0, end)).toLowerCase(Locale.ROOT);
    if (path.endsWith(".jpg") || path.endsWith(".jpeg")) {
      return "image/jpeg";
    }
    return path.endsWith(".webp") ? "image/webp" : PNG;
  }

  private static boolean startsWith(byte[] bytes, int offset, int... magic) {
    if (bytes == null || bytes.length < offset + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((bytes[offset + i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
