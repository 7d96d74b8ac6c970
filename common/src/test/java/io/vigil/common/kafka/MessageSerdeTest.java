package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.model.Rollup;
import io.vigil.common.testing.Samples;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageSerdeTest {

  private final MessageSerde<Rollup> serde = new MessageSerde<>(Rollup.class);

  @Test
  void roundTripsAndRefusesInvalidRecordsByField() {
    byte[] json = Samples.rollup().json().getBytes(StandardCharsets.UTF_8);
    Rollup rollup = serde.deserializer().deserialize("t", json);
    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", rollup))).isEqualTo(rollup);
    assertThat(serde.serializer().serialize("t", null)).isNull();

    byte[] missing = Samples.rollup().jsonWithout("count").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", missing))
        .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo("count"));
  }
}
