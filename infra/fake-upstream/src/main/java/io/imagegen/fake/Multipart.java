package io.imagegen.fake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small multipart/form-data parser over the raw body.
 *
 * <p>Parsing ourselves (instead of BodyHandler uploads) keeps the raw bytes for the recorder and needs no
 * temporary upload directory to clean up.
 */
final class Multipart {

    private static final Pattern BOUNDARY = Pattern.compile("boundary=(\"?)([^\";]+)\\1", Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("[; ]name=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
    private static final Pattern FILENAME = Pattern.compile("filename=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
    /** Text values of plain fields are kept only up to this size; prompts are far smaller. */
    private static final int MAX_VALUE = 64 * 1024;

    private Multipart() {
    }

    static boolean isMultipart(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    /** Parses the parts; a malformed body yields the parts found before the damage. */
    static List<RecordedRequest.Part> parse(String contentType, byte[] body) {
        Matcher m = BOUNDARY.matcher(contentType);
        if (!m.find()) {
            return List.of();
        }
        byte[] delimiter = ("--" + m.group(2)).getBytes(StandardCharsets.ISO_8859_1);
        List<RecordedRequest.Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        while (at >= 0) {
            int lineEnd = at + delimiter.length;
            if (lineEnd + 1 < body.length && body[lineEnd] == '-' && body[lineEnd + 1] == '-') {
                break; // closing delimiter
            }
            int headersStart = skipCrlf(body, lineEnd);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
            if (headersEnd < 0) {
                break;
            }
            int dataStart = headersEnd + 4;
            int next = indexOf(body, delimiter, dataStart);
            if (next < 0) {
                break;
            }
            int dataEnd = next >= 2 && body[next - 2] == '\r' && body[next - 1] == '\n' ? next - 2 : next;
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            parts.add(part(headers, body, dataStart, Math.max(dataStart, dataEnd)));
            at = next;
        }
        return parts;
    }

    private static RecordedRequest.Part part(String headers, byte[] body, int start, int end) {
        String name = null;
        String fileName = null;
        String contentType = null;
        for (String line : headers.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-disposition:")) {
                Matcher n = NAME.matcher(line);
                name = n.find() ? n.group(1) : null;
                Matcher f = FILENAME.matcher(line);
                fileName = f.find() ? f.group(1) : null;
            } else if (lower.startsWith("content-type:")) {
                contentType = line.substring("content-type:".length()).trim();
            }
        }
        int size = end - start;
        String value = fileName == null
                ? new String(body, start, Math.min(size, MAX_VALUE), StandardCharsets.UTF_8)
                : null;
        return new RecordedRequest.Part(name, fileName, contentType, size, value);
    }

    private static int skipCrlf(byte[] b, int i) {
        return i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n' ? i + 2 : i;
    }

    /** Naive search; bodies are at most a few tens of MB and this is a test fixture. */
    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
