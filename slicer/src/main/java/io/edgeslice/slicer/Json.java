package io.edgeslice.slicer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.edgeslice.protocol.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/** The JSON dialect of manifests and profiles: snake_case keys, dtypes as {@code float32}. */
final class Json {
    static final ObjectMapper MAPPER = mapper();

    private Json() {
    }

    private static ObjectMapper mapper() {
        SimpleModule dtypes = new SimpleModule("edgeslice-dtype");
        dtypes.addSerializer(DType.class, new JsonSerializer<>() {
            @Override
            public void serialize(DType value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(value.lowerName());
            }
        });
        dtypes.addDeserializer(DType.class, new JsonDeserializer<>() {
            @Override
            public DType deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return DType.valueOf(p.getValueAsString().toUpperCase(Locale.ROOT));
            }
        });
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .registerModule(dtypes)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    static void write(Path file, Object value) {
        try {
            MAPPER.writeValue(file.toFile(), value);
        } catch (IOException e) {
            throw new SlicingException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static <T> T read(Path file, Class<T> type, String what) {
        try {
            return MAPPER.readValue(Files.readAllBytes(file), type);
        } catch (NoSuchFileException e) {
            throw new SlicingException(what + " not found: " + file);
        } catch (IOException | IllegalArgumentException e) {
            throw new SlicingException(file + " is not a valid " + what + ": " + e.getMessage(), e);
        }
    }
}
