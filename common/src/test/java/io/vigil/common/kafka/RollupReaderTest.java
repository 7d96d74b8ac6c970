package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.model.Rollup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rollup reader against data binding: for rollups written by the codec, by hand in other
 * orders and shapes, and broken in every way a record can be, the codec (which tries the reader
 * first) answers exactly what data binding alone answers: the same rollup, or a refusal naming the
 * same field.
 */
class RollupReaderTest {

  static final JsonMapper MAPPER = MessageCodec.defaultMapper();
  static final MessageCodec CODEC = new MessageCodec();

  /** What data binding alone makes of it: the rollup, or the refusal's field and reason. */
  static Object bound(String json) {
    try {
      return MAPPER.readValue(json.getBytes(StandardCharsets.UTF_8), Rollup.class);
    } catch (RuntimeException e) {
      return "refused";
    }
  }

  static Object codec(String json) {
    try {
      return CODEC.decode(json.getBytes(StandardCharsets.UTF_8), Rollup.class);
    } catch (io.vigil.common.model.InvalidRecordException e) {
      return "refused";
    }
  }

  static Map<String, Object> fields(Random r) {
    Map<String, Object> f = new LinkedHashMap<>();
    int period = new int[] {60, 300, 3600}[r.nextInt(3)];
    f.put("schemaVersion", 1);
    f.put("seriesId", r.nextLong());
    f.put("namespace", "qce/cvm");
    f.put("region", "ap-guangzhou");
    f.put("metric", "cpu_usage");
    if (r.nextInt(4) > 0) {
      Map<String, Object> dims = new LinkedHashMap<>();
      dims.put("appid", Integer.toString(r.nextInt(1000)));
      dims.put("instance", "ins-" + r.nextInt(100));
      f.put("dimensions", dims);
    }
    if (r.nextBoolean()) {
      f.put("shard", "default");
    }
    f.put("periodSeconds", period);
    f.put("windowStartMs", 1_764_000_000_000L / (period * 1000L) * period * 1000L);
    double min = r.nextInt(100) / 4.0;
    f.put("sum", r.nextBoolean() ? (Object) (min * 3 + 0.5) : (Object) 7);
    f.put("count", 1 + r.nextInt(5));
    f.put("min", min);
    f.put("max", min + r.nextInt(50));
    f.put("last", r.nextDouble());
    if (r.nextBoolean()) {
      f.put("emittedAtMs", 1_764_000_100_000L);
    }
    if (r.nextBoolean()) {
      f.put("tenant", "1250000000");
    }
    return f;
  }

  /** One way of breaking (or merely reshaping) a record. */
  static String variant(Random r, Map<String, Object> f) {
    List<String> keys = new ArrayList<>(f.keySet());
    String key = keys.get(r.nextInt(keys.size()));
    switch (r.nextInt(14)) {
      case 0 -> f.remove(key);
      case 1 -> f.put(key, null);
      case 2 -> f.put(key, "7");
      case 3 -> f.put(key, 7.5);
      case 4 -> f.put(key, 12_345_678_901L);
      case 5 -> f.put(key, List.of(1, 2));
      case 6 -> f.put(key, Map.of("a", "b"));
      case 7 -> f.put("extra", Map.of("nested", List.of(1, Map.of("x", "y"))));
      case 8 -> f.put(key, true);
      case 9 -> f.put("dimensions", Map.of("appid", 7));
      case 10 -> f.put("count", 0);
      case 11 -> f.put("min", 1e9);
      default -> { } // as it is, in a shuffled order below
    }
    List<String> order = new ArrayList<>(f.keySet());
    java.util.Collections.shuffle(order, r);
    Map<String, Object> shuffled = new LinkedHashMap<>();
    order.forEach(k -> shuffled.put(k, f.get(k)));
    String json = MAPPER.writeValueAsString(shuffled);
    return switch (r.nextInt(16)) {
      case 0 -> json + " {}"; // trailing tokens
      case 1 -> json.replaceFirst("\\{", "{\"metric\":\"dup\","); // a duplicate, maybe
      case 2 -> "[" + json + "]";
      // duplicates the reader must find itself (Jackson's own detection is off on its parser)
      case 3 -> json.replaceFirst("\\{", "{\"extra\":1,\"extra\":2,");
      case 4 -> json.replaceFirst("\\{", "{\"extra\":{\"a\":1,\"a\":2},");
      case 5 -> json.replaceFirst("\"dimensions\":\\{", "\"dimensions\":{\"appid\":\"1\",");
      case 6 -> json.replaceFirst("\\{", "{\"extra\":1,\"other\":\"x\",");
      case 7 -> json.replaceFirst("\\{", "{\"extra\":1,\"extra\":{\"a\":1},");
      default -> json;
    };
  }

  @Test
  void readsEveryRecordExactlyAsDataBindingDoes() {
    int read = 0;
    int refused = 0;
    for (long seed = 1; seed <= 8000; seed++) {
      Random r = new Random(seed);
      String json = variant(r, fields(r));
      Object expected = bound(json);
      assertThat(codec(json)).as("seed %d: %s", seed, json).isEqualTo(expected);
      if (expected instanceof Rollup) {
        read++;
        Rollup fast = RollupReader.read(MAPPER, json.getBytes(StandardCharsets.UTF_8));
        if (json.contains("\"extra\":{") || json.contains("\"extra\":[")) {
          // an unknown field holding a structure is left to data binding
          assertThat(fast).as("seed %d", seed).isNull();
        } else {
          assertThat(fast).as("the fast path itself took seed %d", seed).isEqualTo(expected);
        }
      } else {
        refused++;
      }
    }
    assertThat(read).as("plain records").isGreaterThan(1000);
    assertThat(refused).as("broken ones").isGreaterThan(1000);
  }

  @Test
  void aRefusalNamesTheSameFieldAsBefore() {
    String missing = "{\"schemaVersion\":1,\"seriesId\":1,\"namespace\":\"n\",\"region\":\"r\",\"metric\":\"m\","
        + "\"periodSeconds\":60,\"windowStartMs\":1764000000000,\"sum\":1,\"count\":1,\"min\":1,\"max\":1}";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CODEC.decode(missing.getBytes(StandardCharsets.UTF_8),
        Rollup.class)).isInstanceOf(io.vigil.common.model.InvalidRecordException.class).hasMessageContaining("last");
  }
}
