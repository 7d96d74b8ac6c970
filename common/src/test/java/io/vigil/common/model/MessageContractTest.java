package io.vigil.common.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.testing.Samples;
import io.vigil.common.testing.Samples.Sample;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/** Every message type: valid samples read back, and each required field is enforced by name. */
class MessageContractTest {

  private static final MessageCodec CODEC = new MessageCodec();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  static Stream<Sample> samples() {
    return Samples.all().stream();
  }

  static Stream<Arguments> requiredFields() {
    return Samples.all().stream()
        .flatMap(s -> s.required().stream().map(f -> Arguments.of(s.type().getSimpleName(), s, f)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void validSampleRoundTrips(Sample sample) {
    Object decoded = CODEC.decode(bytes(sample.json()), sample.type());
    Object again = CODEC.decode(CODEC.encode(decoded), sample.type());
    assertThat(again).isEqualTo(decoded);
    assertThat(((VigilMessage) decoded).schemaVersion()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} without {2}")
  @MethodSource("requiredFields")
  void droppingARequiredFieldIsATypedErrorNamingIt(String type, Sample sample, String field) {
    assertThatThrownBy(() -> CODEC.decode(bytes(sample.jsonWithout(field)), sample.type()))
        .isInstanceOfSatisfying(InvalidRecordException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.recordType()).isEqualTo(type);
          assertThat(e.reason()).isNotBlank();
        });
  }

  @ParameterizedTest(name = "{0} with null {2}")
  @MethodSource("requiredFields")
  void nullInARequiredFieldIsATypedErrorNamingIt(String type, Sample sample, String field) {
    Map<String, Object> fields = new LinkedHashMap<>(sample.fields());
    fields.put(field, null);
    assertThatThrownBy(() -> CODEC.decode(JSON.writeValueAsBytes(fields), sample.type()))
        .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void unknownFieldsAreTolerated(Sample sample) {
    Map<String, Object> fields = new LinkedHashMap<>(sample.fields());
    fields.put("addedByANewerProducer", Map.of("nested", List.of(1, 2)));
    assertThat(CODEC.decode(JSON.writeValueAsBytes(fields), sample.type())).isNotNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void anUnreadableSchemaVersionIsRefused(Sample sample) {
    for (int version : new int[] {0, 2, 99}) {
      Map<String, Object> fields = new LinkedHashMap<>(sample.fields());
      fields.put("schemaVersion", version);
      assertThatThrownBy(() -> CODEC.decode(JSON.writeValueAsBytes(fields), sample.type()))
          .isInstanceOfSatisfying(InvalidRecordException.class,
              e -> assertThat(e.field()).isEqualTo("schemaVersion"));
    }
  }

  @Test
  void wrongTypesAndBadValuesNameTheirField() {
    Map<String, Object> point = new LinkedHashMap<>(Samples.metricPoint().fields());
    point.put("value", "high");
    assertField(point, MetricPoint.class, "value");

    Map<String, Object> rollup = new LinkedHashMap<>(Samples.rollup().fields());
    rollup.put("windowStartMs", 1_764_000_000_001L);
    assertField(rollup, Rollup.class, "windowStartMs");
    rollup = new LinkedHashMap<>(Samples.rollup().fields());
    rollup.put("count", 0);
    assertField(rollup, Rollup.class, "count");
    rollup = new LinkedHashMap<>(Samples.rollup().fields());
    rollup.put("min", 50.0);
    assertField(rollup, Rollup.class, "min");

    Map<String, Object> alert = new LinkedHashMap<>(Samples.alertEvent().fields());
    alert.put("status", "EXPLODED");
    assertField(alert, AlertEvent.class, "status");
    alert = new LinkedHashMap<>(Samples.alertEvent().fields());
    alert.remove("seriesId");
    alert.remove("objectId");
    assertField(alert, AlertEvent.class, "seriesId");

    Map<String, Object> event = new LinkedHashMap<>(Samples.productEvent().fields());
    event.put("namespace", "  ");
    assertField(event, ProductEvent.class, "namespace");
  }

  @Test
  void malformedJsonIsATypedErrorOnTheWholeRecord() {
    assertThatThrownBy(() -> CODEC.decode(bytes("{\"schemaVersion\": 1,"), MetricPoint.class))
        .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo("$"));
    assertThatThrownBy(() -> CODEC.decode(new byte[0], MetricPoint.class))
        .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo("$"));
    assertThatThrownBy(() -> CODEC.decode(bytes("null"), MetricPoint.class))
        .isInstanceOf(InvalidRecordException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void onlyTheRequiredFieldsAreNeeded(Sample sample) {
    Map<String, Object> minimal = new LinkedHashMap<>();
    sample.required().forEach(f -> minimal.put(f, sample.fields().get(f)));
    if (sample.type() == AlertEvent.class) {
      minimal.put("seriesId", 42L); // one of seriesId/objectId is required, see below
    }
    Object decoded = CODEC.decode(JSON.writeValueAsBytes(minimal), sample.type());
    assertThat(decoded).isNotNull();
  }

  @Test
  void optionalFieldsTakeTheirDefaults() {
    Map<String, Object> point = new LinkedHashMap<>(Samples.metricPoint().fields());
    point.remove("shard");
    point.remove("dimensions");
    point.remove("receivedAtMs");
    MetricPoint p = CODEC.decode(JSON.writeValueAsBytes(point), MetricPoint.class);
    assertThat(p.shard()).isEqualTo("default");
    assertThat(p.dimensions()).isEmpty();
    assertThat(p.receivedAtMs()).isZero();
  }

  private static void assertField(Map<String, Object> fields, Class<?> type, String field) {
    assertThatThrownBy(() -> CODEC.decode(JSON.writeValueAsBytes(fields), type))
        .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
