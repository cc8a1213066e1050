package io.imagegen.fake;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/** Whether bytes are one whole PNG as the fake made it, for tests that carry its images through a system. */
public final class PngCheck {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private PngCheck() {
    }

    /** The PNG signature, then chunks whose CRCs all match, the last of them IEND ending exactly at the end. */
    public static boolean intact(byte[] png) {
        if (png.length < SIGNATURE.length || !Arrays.equals(png, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            return false;
        }
        ByteBuffer buf = ByteBuffer.wrap(png);
        buf.position(SIGNATURE.length);
        String last = null;
        while (buf.remaining() >= 12) {
            int length = buf.getInt();
            if (length < 0 || length > buf.remaining() - 8) {
                return false;
            }
            byte[] typeAndData = new byte[4 + length];
            buf.get(typeAndData);
            CRC32 crc = new CRC32();
            crc.update(typeAndData);
            if (buf.getInt() != (int) crc.getValue()) {
                return false;
            }
            last = new String(typeAndData, 0, 4, StandardCharsets.US_ASCII);
        }
        return !buf.hasRemaining() && "IEND".equals(last);
    }
}
