package io.vigil.detector.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.FieldProblem;
import io.vigil.detector.detect.AlertEngine;
import io.vigil.detector.detect.Backtester;
import io.vigil.detector.detect.Explainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the console asks a detector: why a policy does or does not judge a series (and where its alert
 * stands), and what a policy, saved or not, would have fired over the recent past. Operators see
 * their tenants' policies only; another tenant's policy answers 404.
 */
@RestController
@Tag(name = "detection")
public class DetectionController {

  private final Explainer explainer;
  private final Backtester backtester;

  public DetectionController(Explainer explainer, Backtester backtester) {
    this.explainer = explainer;
    this.backtester = backtester;
  }

  @Operation(summary = "Whether a policy judges a series, which check fails, its condition counters and alert state")
  @GetMapping("/v1/explain")
  public Explainer.Explanation explain(
      @Parameter(description = "a policy of this detector's shard") @RequestParam(required = false) String policyId,
      @Parameter(description = "the series id, 16 lower-case hex digits") @RequestParam(required = false)
      String seriesId,
      @Parameter(description = "for a series this detector has not seen: its namespace") @RequestParam(required = false)
      String namespace,
      @Parameter(description = "for a series this detector has not seen: its region") @RequestParam(required = false)
      String region,
      @Parameter(description = "for a series this detector has not seen: its metric") @RequestParam(required = false)
      String metric,
      @Parameter(description = "for a series this detector has not seen: its dimensions, each key=value")
      @RequestParam(required = false) List<String> dimension,
      @Parameter(description = "shard (the default): the instance of the shard that holds the series answers,"
          + " asked by this one if need be; instance: this instance answers from its own memory",
          schema = @Schema(allowableValues = {"shard", "instance"}))
      @RequestParam(required = false) String scope,
      @Parameter(hidden = true) @RequestHeader(name = "Authorization", required = false) String authorization,
      jakarta.servlet.http.HttpServletRequest request) {
    // each value as sent: a lone value bound to a list would be split at its commas (a=x,y is one dimension)
    String[] sent = request.getParameterValues("dimension");
    dimension = sent == null ? null : List.of(sent);
    Explainer.Scope where;
    if (scope == null || scope.equals("shard")) {
      where = Explainer.Scope.SHARD;
    } else if (scope.equals("instance")) {
      where = Explainer.Scope.INSTANCE;
    } else {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "scope", "is shard or instance");
    }
    AlertEngine.SeriesIdentity described = null;
    if (namespace != null || region != null || metric != null || dimension != null) {
      List<FieldProblem> problems = new ArrayList<>();
      Map<String, String> dims = new TreeMap<>();
      for (String d : dimension == null ? List.<String>of() : dimension) {
        int eq = d.indexOf('=');
        if (eq <= 0) {
          problems.add(new FieldProblem("dimension", "each is key=value: " + d));
        } else {
          dims.put(d.substring(0, eq), d.substring(eq + 1));
        }
      }
      if (namespace == null || region == null || metric == null) {
        problems.add(new FieldProblem(namespace == null ? "namespace" : region == null ? "region" : "metric",
            "a described series needs namespace, region and metric"));
      }
      if (!problems.isEmpty()) {
        throw new ApiException(ErrorCode.VALIDATION_FAILED, problems);
      }
      described = new AlertEngine.SeriesIdentity(namespace, region, metric, dims);
    }
    return explainer.explain(policyId, seriesId, described, where, authorization);
  }

  @Operation(summary = "What a policy, saved or not, would have fired over the last minutes of stored data")
  @PostMapping(path = "/v1/backtest", consumes = "application/json")
  public Backtester.Result backtest(@RequestBody Backtester.Request request) {
    return backtester.run(request);
  }
}
