package io.imagegen.common.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.imagegen.common.config.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/** The one Jackson configuration used for task records, job messages and API bodies. */
public final class Json {
  /** Thread-safe once configured; shared on purpose. */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      // Newer producers may add fields; old readers must not choke on them during a rolling upgrade.
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .registerModule(new SimpleModule("imagegen-durations")
          .addSerializer(Duration.class, new StdSerializer<>(Duration.class) {
            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
              gen.writeString(Durations.format(value));
            }
          })
          .addDeserializer(Duration.class, new StdDeserializer<>(Duration.class) {
            @Override
            public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
              try {
                return Durations.parse(parser.getValueAsString());
              } catch (IllegalArgumentException e) {
                throw context.weirdStringException(parser.getValueAsString(), Duration.class, e.getMessage());
              }
            }
          }));

  private Json() {
  }

  public static byte[] toBytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not serialisable: " + value.getClass().getName(), e);
    }
  }

  public static <T> T fromBytes(byte[] bytes, Class<T> type) {
    try {
      return MAPPER.readValue(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException("malformed " + type.getSimpleName() + " JSON", e);
    }
  }
}
