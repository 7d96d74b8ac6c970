package io.vigil.storage.query;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * A series query: one metric of one namespace, the series its dimension filters (common's nine
 * functions, the seed's shape) select, one period's rollups, one statistic, over [fromMs, toMs),
 * downsampled to at most {@code maxPoints} points per series.
 */
@Schema(description = "A series query")
public record SeriesRequest(
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "qce/cvm") String namespace,
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "cpu_usage") String metric,
    @Schema(description = "the region; every region when absent") String region,
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"60", "300", "900", "3600", "86400"})
    Integer period,
    @Schema(allowableValues = {"avg", "sum", "min", "max", "count", "last"}, defaultValue = "avg") String statistic,
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "epoch ms, inclusive") Long fromMs,
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "epoch ms, exclusive") Long toMs,
    @Schema(description = "dimension filters, all must hold: {\"Function\":\"Equal\",\"Field\":\"appid\",\"Args\":\"1\"}")
    List<Map<String, Object>> filters,
    @Schema(minimum = "1", maximum = "11000", defaultValue = "1000") Integer maxPoints,
    @Schema(minimum = "1", maximum = "1000", defaultValue = "100") Integer maxSeries) {}
