package io.vigil.common.series;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pins series identity. The golden file is the contract with every stored series id: if this test
 * fails, ids changed, and every stored series, alert key and cache entry would be orphaned.
 */
class SeriesIdTest {

  @Test
  void goldenValues() throws IOException {
    JsonNode cases;
    try (InputStream in = getClass().getResourceAsStream("/series-golden.json")) {
      cases = JsonMapper.builder().build().readTree(in);
    }
    assertThat(cases.size()).isGreaterThanOrEqualTo(8);
    for (JsonNode c : cases) {
      Map<String, String> dims = new LinkedHashMap<>();
      c.path("dimensions").properties().forEach(e -> dims.put(e.getKey(), e.getValue().asString()));
      long id = SeriesId.of(c.path("namespace").asString(), c.path("region").asString(), c.path("metric").asString(), dims);
      assertThat(SeriesId.hex(id)).as(c.path("name").asString()).isEqualTo(c.path("seriesId").asString());
    }
  }

  @Test
  void canonicalFormIsLengthPrefixedUtf8() {
    byte[] form = SeriesId.canonicalForm("n", "r", "m", Map.of("k", "é"));
    assertThat(form).containsExactly(
        0, 0, 0, 1, 'n', 0, 0, 0, 1, 'r', 0, 0, 0, 1, 'm', 0, 0, 0, 1, 'k', 0, 0, 0, 2, (byte) 0xC3, (byte) 0xA9);
  }

  /**
   * Keys are ordered by their UTF-8 bytes (code points), not by Java's UTF-16 {@code compareTo}:
   * U+FFFF (EF BF BF) comes before U+1F600 (F0 9F 98 80), although its UTF-16 unit FFFF sorts after
   * the surrogate D83D. The form is written out by hand here, byte by byte, so a change to a sorted
   * map of Strings would fail this test.
   */
  @Test
  void keysOrderByUtf8BytesNotUtf16() {
    Map<String, String> dims = new LinkedHashMap<>();
    dims.put("\uD83D\uDE00", "b"); // 😀
    dims.put("\uFFFF", "a");
    byte[] expected = {
        0, 0, 0, 1, 'n', 0, 0, 0, 1, 'r', 0, 0, 0, 1, 'm',
        0, 0, 0, 3, (byte) 0xEF, (byte) 0xBF, (byte) 0xBF, 0, 0, 0, 1, 'a',
        0, 0, 0, 4, (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80, 0, 0, 0, 1, 'b'};
    assertThat(SeriesId.canonicalForm("n", "r", "m", dims)).isEqualTo(expected);
    assertThat(SeriesId.of("n", "r", "m", dims)).isEqualTo(XxHash64.hash(expected, 0, expected.length, SeriesId.SEED));
    assertThat(new TreeMap<>(dims).firstKey()).as("what a naive sorted map would do").isEqualTo("\uD83D\uDE00");
  }

  @Test
  void dimensionOrderDoesNotMatter() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("b", "2");
    a.put("a", "1");
    a.put("ä", "3");
    Map<String, String> b = new TreeMap<>(a);
    assertThat(SeriesId.of("ns", "r", "m", a)).isEqualTo(SeriesId.of("ns", "r", "m", b));
  }

  @Test
  void componentsCannotBleedIntoEachOther() {
    Set<Long> ids = new HashSet<>();
    List<long[]> none = List.of();
    ids.add(SeriesId.of("ab", "c", "m", Map.of()));
    ids.add(SeriesId.of("a", "bc", "m", Map.of()));
    ids.add(SeriesId.of("a", "b", "cm", Map.of()));
    ids.add(SeriesId.of("a", "b", "c", Map.of("m", "")));
    ids.add(SeriesId.of("a", "b", "c", Map.of("k", "v=1,x=2")));
    ids.add(SeriesId.of("a", "b", "c", Map.of("k", "v", "x", "2")));
    ids.add(SeriesId.of("a", "b", "c", Map.of("kv", "")));
    ids.add(SeriesId.of("a", "b", "c", Map.of("k", "v")));
    assertThat(ids).hasSize(8);
    assertThat(none).isEmpty();
  }

  @Test
  void everyMetricOfAnObjectHasItsObjectIdAndTheSpliceAgreesWithTheForm() {
    Map<String, String> dims = new LinkedHashMap<>();
    dims.put("instance", "ins-1");
    dims.put("appid", "1250000000");
    dims.put("\uD83D\uDE00", "ä");
    long object = SeriesId.objectOf("qce/cvm", "ap-guangzhou", dims);
    byte[] form = SeriesId.canonicalForm("qce/cvm", "ap-guangzhou", "", dims);
    assertThat(object).isEqualTo(XxHash64.hash(form, 0, form.length, SeriesId.OBJECT_SEED));
    for (String metric : List.of("cpu_usage", "mem", "x", "")) {
      SeriesId.Ids ids = SeriesId.ofWithObject("qce/cvm", "ap-guangzhou", metric, dims);
      assertThat(ids.seriesId()).isEqualTo(SeriesId.of("qce/cvm", "ap-guangzhou", metric, dims));
      assertThat(ids.objectId()).as(metric).isEqualTo(object);
    }
    assertThat(SeriesId.objectOf("qce/cvm", "ap-guangzhou", Map.of())).isEqualTo(
        SeriesId.ofWithObject("qce/cvm", "ap-guangzhou", "cpu", Map.of()).objectId());
    assertThat(SeriesId.objectOf("qce/cvm", "ap-guangzhou", Map.of("instance", "ins-2"))).isNotEqualTo(object);
    assertThat(SeriesId.objectOf("qce/cvm", "ap-shanghai", dims)).isNotEqualTo(object);
    assertThat(object).as("no object id is the series id of its form").isNotEqualTo(
        SeriesId.of("qce/cvm", "ap-guangzhou", "", dims));
    // pinned: the placement of every series depends on it
    assertThat(SeriesId.hex(SeriesId.objectOf("n", "r", Map.of("k", "v")))).isEqualTo(PINNED);
  }

  static final String PINNED = "6830aa55edaff69d";

  @Test
  void hexIsSixteenDigits() {
    assertThat(SeriesId.hex(1L)).isEqualTo("0000000000000001");
    assertThat(SeriesId.hex(-1L)).isEqualTo("ffffffffffffffff");
  }
}
