package io.imagegen.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/** Real, solid-colour PNGs of a requested size, encoded off the event loop and cached. */
final class PngFactory {

    /** One encoded image; base64 is computed once because b64_json answers repeat it many times. */
    record Png(int width, int height, byte[] bytes, String base64) {
    }

    private record Key(int width, int height, int colour, int padTo) {
    }

    /** A small palette keeps the cache bounded however many distinct prompts a load test sends. */
    private static final int[] PALETTE = {0xE53935, 0x8E24AA, 0x3949AB, 0x039BE5, 0x00897B, 0x7CB342,
        0xFDD835, 0xFB8C00, 0x6D4C41, 0x546E7A, 0xD81B60, 0x5E35B1, 0x1E88E5, 0x00ACC1, 0x43A047, 0xF4511E};
    private static final int MAX_CACHED = 64;
    private static final byte[] PAD_TYPE = "prVt".getBytes(StandardCharsets.US_ASCII);
    private static final int CHUNK_OVERHEAD = 12; // length + type + CRC

    private final Vertx vertx;
    private final Map<Key, Future<Png>> cache = new ConcurrentHashMap<>();

    PngFactory(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The PNG for a prompt at this size, padded to about {@code padTo} bytes when that is larger. */
    Future<Png> png(int width, int height, String prompt, int padTo) {
        int colour = PALETTE[Math.floorMod(prompt == null ? 0 : prompt.hashCode(), PALETTE.length)];
        Key key = new Key(width, height, colour, padTo);
        Future<Png> cached = cache.get(key);
        if (cached != null && !cached.failed()) {
            return cached;
        }
        if (cache.size() >= MAX_CACHED) {
            cache.clear(); // crude, but big images are few and re-encoding is cheap next to a real vendor
        }
        // ordered=false: independent encodings may run in parallel on the worker pool.
        Future<Png> f = vertx.executeBlocking(() -> build(key), false);
        cache.put(key, f);
        return f;
    }

    private static Png build(Key k) {
        byte[] bytes = pad(encode(k.width(), k.height(), k.colour()), k.padTo());
        return new Png(k.width(), k.height(), bytes, Base64.getEncoder().encodeToString(bytes));
    }

    static byte[] encode(int width, int height, int rgb) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(rgb));
            g.fillRect(0, 0, width, height);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Inserts a private ancillary chunk ("prVt": ancillary, private, safe-to-copy) before IEND so the
     * file reaches {@code target} bytes. Decoders skip unknown ancillary chunks, so the image stays valid;
     * that is how a 4 MB image is made without encoding noise. The filler is pseudo-random (seeded by the
     * target, so answers stay repeatable): a byte lost, doubled or moved in transit breaks the chunk's CRC,
     * which {@link PngCheck} detects.
     */
    static byte[] pad(byte[] png, int target) {
        int dataLength = target - png.length - CHUNK_OVERHEAD;
        if (dataLength <= 0) {
            return png;
        }
        int iend = png.length - CHUNK_OVERHEAD; // ImageIO always ends with the 12-byte IEND chunk
        byte[] data = new byte[dataLength];
        new Random(target).nextBytes(data);
        CRC32 crc = new CRC32();
        crc.update(PAD_TYPE);
        crc.update(data);
        ByteBuffer out = ByteBuffer.allocate(png.length + CHUNK_OVERHEAD + dataLength);
        out.put(png, 0, iend)
                .putInt(dataLength).put(PAD_TYPE).put(data).putInt((int) crc.getValue())
                .put(png, iend, CHUNK_OVERHEAD);
        return out.array();
    }
}
