package io.imagegen.fake;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PngFactoryTest {

    @Test
    void padding_reaches_the_exact_target_and_every_chunk_crc_is_correct() {
        byte[] png = PngFactory.pad(PngFactory.encode(40, 30, 0x336699), 100_000);

        assertThat(png).hasSize(100_000);
        ByteBuffer buf = ByteBuffer.wrap(png);
        buf.position(8); // signature
        String last = null;
        boolean sawPadding = false;
        while (buf.hasRemaining()) {
            int length = buf.getInt();
            byte[] typeAndData = new byte[4 + length];
            buf.get(typeAndData);
            CRC32 crc = new CRC32();
            crc.update(typeAndData);
            assertThat(buf.getInt()).isEqualTo((int) crc.getValue());
            last = new String(typeAndData, 0, 4, StandardCharsets.US_ASCII);
            sawPadding |= last.equals("prVt");
        }
        assertThat(sawPadding).isTrue();
        assertThat(last).isEqualTo("IEND");
        assertThat(PngCheck.intact(png)).isTrue();
        BufferedImage img = Http.png(png);
        assertThat(img.getWidth()).isEqualTo(40);
        assertThat(img.getHeight()).isEqualTo(30);
        assertThat(img.getRGB(5, 5) & 0xFFFFFF).isEqualTo(0x336699);
    }

    @Test
    void a_byte_lost_or_flipped_anywhere_in_a_padded_png_is_detected() {
        byte[] png = PngFactory.pad(PngFactory.encode(40, 30, 0x336699), 10_000);
        byte[] flipped = png.clone();
        flipped[7_000] ^= 0x01;
        byte[] shortened = java.util.Arrays.copyOf(png, png.length - 1);
        byte[] shifted = new byte[png.length - 3];
        System.arraycopy(png, 0, shifted, 0, 5_000);
        System.arraycopy(png, 5_003, shifted, 5_000, png.length - 5_003);

        assertThat(PngCheck.intact(png)).isTrue();
        assertThat(PngCheck.intact(flipped)).isFalse();
        assertThat(PngCheck.intact(shortened)).isFalse();
        assertThat(PngCheck.intact(shifted)).isFalse();
    }

    @Test
    void a_target_below_the_natural_size_leaves_the_png_untouched() {
        byte[] plain = PngFactory.encode(16, 16, 0);

        assertThat(PngFactory.pad(plain, 10)).isSameAs(plain);
    }

    @Test
    void size_notations_of_every_vendor_parse_and_are_capped() {
        assertThat(Sizes.parse("1024x1536", Sizes.DEFAULT)).isEqualTo(new Sizes.Size(1024, 1536));
        assertThat(Sizes.parse("1328*1328", Sizes.DEFAULT)).isEqualTo(new Sizes.Size(1328, 1328));
        assertThat(Sizes.parse("2K", Sizes.DEFAULT)).isEqualTo(new Sizes.Size(2048, 2048));
        assertThat(Sizes.parse("auto", Sizes.DEFAULT)).isEqualTo(Sizes.DEFAULT);
        assertThat(Sizes.parse(null, Sizes.DEFAULT)).isEqualTo(Sizes.DEFAULT);
        assertThat(Sizes.parse("8192x4096", Sizes.DEFAULT)).isEqualTo(new Sizes.Size(4096, 2048));
        assertThat(Sizes.parse("big", Sizes.DEFAULT)).isNull();
        assertThat(Sizes.gemini("16:9", "4K")).isEqualTo(new Sizes.Size(4096, 2341));
        assertThat(Sizes.gemini(null, null)).isEqualTo(new Sizes.Size(1024, 1024));
    }

    @Test
    void behaviour_survives_a_round_trip_through_the_admin_json() {
        Behaviour b = Behaviour.normal().withLatency(java.time.Duration.ofMillis(250)).withFailStatus(429)
                .withFailTimes(2).withErrorRate(0.25, 9).withRetryAfterSeconds(4).withImageBytes(4_000_000)
                .withSlowStreamBytesPerSecond(1000).withDashscopeQueryQps(0).withTaskFailCode("InternalError");

        assertThat(BehaviourJson.fromJson(BehaviourJson.toJson(b))).isEqualTo(b);
    }
}
