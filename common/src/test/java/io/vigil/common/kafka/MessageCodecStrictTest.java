package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.Required;
import io.vigil.common.model.Upcasts;
import io.vigil.common.model.VigilMessage;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Decoding is strict about what it reads (no coercion, no trailing tokens, no duplicate keys,
 * plausible epoch milliseconds) and reads the previous schema version through an upcast step.
 */
class MessageCodecStrictTest {

  private final MessageCodec codec = new MessageCodec();

  private static final String POINT = "{\"schemaVersion\":1,\"seriesId\":42,\"namespace\":\"ns\",\"region\":\"local\","
      + "\"metric\":\"m\",\"timestampMs\":1764000000000,\"value\":1.5%s}";

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("a float where an integer belongs", POINT.formatted(",\"graceMs\":1.5"), "graceMs"),
        Arguments.of("text where a number belongs", POINT.formatted(",\"graceMs\":\"30000\"").replace("\"value\":1.5", "\"value\":\"1.5\""), "value"),
        Arguments.of("a number where text belongs", POINT.formatted(",\"unit\":5"), "unit"),
        Arguments.of("a duplicate key", POINT.formatted(",\"value\":2.5"), "$"),
        Arguments.of("trailing tokens", POINT.formatted("") + " {}", "$"),
        Arguments.of("seconds, not milliseconds", POINT.formatted("").replace("1764000000000", "1764000000"), "timestampMs"),
        Arguments.of("microseconds, not milliseconds", POINT.formatted("").replace("1764000000000", "1764000000000000"),
            "timestampMs"),
        Arguments.of("a period that does not divide a day", POINT.formatted(",\"periods\":[420]"), "periods"),
        Arguments.of("version 0", POINT.formatted("").replace("\"schemaVersion\":1", "\"schemaVersion\":0"), "schemaVersion"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refuses(String what, String json, String field) {
    assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8), MetricPoint.class))
        .isInstanceOf(InvalidRecordException.class)
        .satisfies(e -> assertThat(((InvalidRecordException) e).field()).as(what).isEqualTo(field));
  }

  @Test
  void aPlainPointIsRead() {
    MetricPoint p = codec.decode(POINT.formatted(",\"periods\":[60,300],\"graceMs\":30000").getBytes(StandardCharsets.UTF_8),
        MetricPoint.class);
    assertThat(p.periods()).containsExactlyInAnyOrder(60, 300);
    assertThat(p.graceMs()).isEqualTo(30_000);
  }

  /** A message type at version 2 whose version 1 called {@code name} {@code title}. */
  public record Renamed(@Required int schemaVersion, @Required String name, int count) implements VigilMessage {
    public static final int SCHEMA_VERSION = 2;

    public Renamed {
      io.vigil.common.model.Checks.checkVersion("Renamed", schemaVersion, SCHEMA_VERSION);
    }
  }

  @Test
  void thePreviousVersionIsReadThroughItsUpcastStep() {
    Upcasts upcasts = new Upcasts().register(Renamed.class, tree -> {
      tree.set("name", tree.remove("title"));
      return tree;
    });
    MessageCodec withStep = new MessageCodec(MessageCodec.defaultMapper(), upcasts);
    byte[] v1 = "{\"schemaVersion\":1,\"title\":\"disk\",\"count\":3}".getBytes(StandardCharsets.UTF_8);
    byte[] v2 = "{\"schemaVersion\":2,\"name\":\"disk\",\"count\":3}".getBytes(StandardCharsets.UTF_8);
    byte[] v0 = "{\"schemaVersion\":0,\"title\":\"disk\"}".getBytes(StandardCharsets.UTF_8);

    assertThat(withStep.decode(v1, Renamed.class)).isEqualTo(new Renamed(2, "disk", 3));
    assertThat(withStep.decode(v2, Renamed.class)).isEqualTo(new Renamed(2, "disk", 3));
    assertThatThrownBy(() -> withStep.decode(v0, Renamed.class)).isInstanceOf(InvalidRecordException.class)
        .extracting(e -> ((InvalidRecordException) e).field()).isEqualTo("schemaVersion");
    assertThatThrownBy(() -> new MessageCodec(MessageCodec.defaultMapper(), new Upcasts()).decode(v1, Renamed.class))
        .as("no step, no reading of the previous version: its shape is refused as it is")
        .isInstanceOf(InvalidRecordException.class)
        .extracting(e -> ((InvalidRecordException) e).field()).isEqualTo("name");
  }
}
