package io.vigil.notifier.config;

import io.vigil.notifier.pipeline.Stage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Composes the pipeline's stages from {@code vigil.notifier.stages}: any order the stages' contracts
 * allow, refused at start otherwise. Intake comes first (nothing runs twice); routing, render and
 * dispatch are there, in that order (nothing is sent unrendered or to no one). Stages that only
 * filter (silence and the ones to come: limit, frequency, convergence, enrichment) may be left out or
 * reordered between them.
 */
final class PipelineFactory {

  private PipelineFactory() {}

  static List<Stage> compose(List<String> names, Map<String, Stage> available) {
    List<Stage> stages = new ArrayList<>(names.size());
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      Stage s = available.get(name);
      if (s == null) {
        throw new IllegalArgumentException("vigil.notifier.stages: unknown stage '" + name + "'; known: "
            + available.keySet().stream().sorted().toList());
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException("vigil.notifier.stages: '" + name + "' is listed twice");
      }
      stages.add(s);
    }
    if (names.isEmpty() || !names.get(0).equals("intake")) {
      throw new IllegalArgumentException("vigil.notifier.stages: intake comes first (idempotency)");
    }
    int routing = names.indexOf("routing");
    int render = names.indexOf("render");
    int dispatch = names.indexOf("dispatch");
    if (routing < 0 || render < routing || dispatch < render) {
      throw new IllegalArgumentException("vigil.notifier.stages: routing, render and dispatch are required, in"
          + " that order");
    }
    int convergence = names.indexOf("convergence");
    if (convergence >= 0 && convergence > routing) {
      throw new IllegalArgumentException("vigil.notifier.stages: convergence comes before routing (a group is"
          + " routed, rendered and sent as one)");
    }
    if (dispatch != names.size() - 1) {
      throw new IllegalArgumentException("vigil.notifier.stages: dispatch is the last stage (record follows it)");
    }
    return stages;
  }
}
