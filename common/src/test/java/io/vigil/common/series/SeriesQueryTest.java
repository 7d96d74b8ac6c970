package io.vigil.common.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.control.AlertPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An alert's series query: its filters, statistic and window count; the answer read for one series. */
class SeriesQueryTest {

  @Test
  void anAlertsQueryHasAnEqualFilterPerDimensionItsStatisticAndAPointPerWindow() {
    SeriesQuery q = SeriesQuery.forAlert("acme/vm", "cpu", "r1", 60, Map.of("vm", "vm-7", "az", "a"),
        AlertPolicy.Statistic.MAX, 600_000, 4_200_000);
    assertThat(q.statistic()).isEqualTo("max");
    assertThat(q.filters()).containsExactly(Map.of("Function", "Equal", "Field", "az", "Args", "a"),
        Map.of("Function", "Equal", "Field", "vm", "Args", "vm-7"));
    assertThat(q.maxPoints()).isEqualTo(60);
    assertThat(q.period()).isEqualTo(60);
    assertThat(SeriesQuery.forAlert("n", "m", "r", 60, Map.of(), AlertPolicy.Statistic.AVG, 0, 61_000).maxPoints())
        .as("a window begun is a window").isEqualTo(2);
    assertThat(SeriesQuery.forAlert("n", "m", "r", 1, Map.of(), AlertPolicy.Statistic.AVG, 0, 86_400_000L)
        .maxPoints()).as("storage's cap").isEqualTo(SeriesQuery.MAX_POINTS);
    assertThatThrownBy(() -> SeriesQuery.forAlert("n", "m", "r", 60, Map.of(), AlertPolicy.Statistic.AVG, 5, 5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theAnswerIsReadForTheWantedSeriesAloneAndWindowsWithoutAValueAreLeftOut() {
    SeriesQuery.Result r = new SeriesQuery.Result(List.of(
        new SeriesQuery.Series(SeriesId.hex(7), Map.of(), List.of(new SeriesQuery.Point(0, 1.5),
            new SeriesQuery.Point(60_000, null))),
        new SeriesQuery.Series(SeriesId.hex(8), Map.of(), List.of(new SeriesQuery.Point(0, 99.0)))));
    assertThat(r.valuesOf(7)).containsExactly(Map.entry(0L, 1.5));
    assertThat(r.valuesOf(9)).isEmpty();
    assertThat(new SeriesQuery.Result(null).valuesOf(7)).isEmpty();
  }
}
