package io.vigil.storage.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The columns a series answer is built in: steps as Elasticsearch returns them, points as they are written. */
class PointsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void stepsGrowInTimeOrderAndAreFoundAgain() {
    Steps steps = new Steps();
    for (int i = 0; i < 100; i++) {
      int at = steps.append(60_000L * (i + 1));
      steps.set(at, Steps.SUM, i);
    }
    assertThat(steps.size()).isEqualTo(100);
    assertThat(steps.indexOf(60_000L * 73)).isEqualTo(72);
    assertThat(steps.get(72, Steps.SUM)).isEqualTo(72.0);
    assertThat(steps.get(72, Steps.COUNT)).as("nothing counted yet").isZero();
    assertThat(steps.get(72, Steps.LAST)).as("not asked for").isNaN();
    assertThat(steps.indexOf(90_000L)).isEqualTo(-1);
    assertThat(steps.indexOf(0L)).isEqualTo(-1);
    assertThatThrownBy(() -> steps.append(60_000L)).as("a histogram's buckets come in order")
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void pointsReadAsRecordsAndWriteTheRecordsJson() {
    Points points = new Points();
    for (int i = 0; i < 40; i++) {
      points.add(1_000L * i, i / 4.0, i == 3);
    }
    assertThat(points).hasSize(40);
    assertThat(points.get(3)).isEqualTo(new SeriesQueries.Point(3_000L, 0.75, true));
    assertThat(points.get(4)).isEqualTo(new SeriesQueries.Point(4_000L, 1.0, null));
    assertThatThrownBy(() -> points.get(40)).isInstanceOf(IndexOutOfBoundsException.class);

    SeriesQueries.Series series = new SeriesQueries.Series("00000000000000ff", "ns", "cpu", "local",
        Map.of("host", "a"), points);
    List<?> written = (List<?>) JSON.readValue(JSON.writeValueAsString(series), Map.class).get("points");
    assertThat(written).hasSize(40);
    assertThat(written.get(3)).isEqualTo(Map.of("t", 3000, "v", 0.75, "late", true));
    assertThat(written.get(4)).as("not late: no late field").isEqualTo(Map.of("t", 4000, "v", 1.0));

    // a plain list of records writes what Jackson writes for the records themselves (nulls left out)
    JsonMapper nonNull = JsonMapper.builder().changeDefaultPropertyInclusion(i -> i.withValueInclusion(
        com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)).build();
    assertThat(nonNull.writeValueAsString(new SeriesQueries.Series("00000000000000ff", "ns", "cpu", "local",
        Map.of("host", "a"), List.copyOf(points))).replace("\"dimensions\":{\"host\":\"a\"},", ""))
        .endsWith(nonNull.writeValueAsString(List.copyOf(points)) + "}");
  }
}
