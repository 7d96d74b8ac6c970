package io.vigil.cmdb.knowledge;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.security.CurrentCaller;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Search over what Vigil knows: namespaces, metrics, policies and instances (the notes' 知识库). */
@RestController
@RequestMapping("/v1/knowledge")
@Tag(name = "knowledge")
@Validated
public class KnowledgeController {

  public static final int MAX_QUERY = 500;

  private final KnowledgeSearch search;

  public KnowledgeController(KnowledgeSearch search) {
    this.search = search;
  }

  @GetMapping("/search")
  @Operation(summary = "Ranked hits across the knowledge indices",
      description = "By vector (the query's embedding, kNN) when the query can be embedded, else or when the"
          + " vector query fails by keyword (BM25; Chinese as bigrams); mode says which ran. An exact identifier"
          + " (a metric's name, an instance id) ranks first either way. Only the caller's tenants' policies and"
          + " instances are searched.")
  public KnowledgeSearch.Answer search(@Parameter(description = "what to look for, in English or Chinese")
      @RequestParam(required = false) String q,
      @Parameter(description = "namespace, metric, policy or instance; repeatable; all when absent")
      @RequestParam(required = false) List<String> kind,
      @Parameter(description = "auto (default), vector or keyword") @RequestParam(required = false) String mode,
      @RequestParam(defaultValue = "10") @Min(1) @Max(50) int limit) {
    var caller = CurrentCaller.authenticated();
    if (q == null || q.isBlank() || q.length() > MAX_QUERY) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, "q", "1 to " + MAX_QUERY + " characters");
    }
    Set<KnowledgeDoc.Kind> kinds = EnumSet.noneOf(KnowledgeDoc.Kind.class);
    if (kind == null || kind.isEmpty()) {
      kinds = EnumSet.allOf(KnowledgeDoc.Kind.class);
    } else {
      for (String k : kind) {
        try {
          kinds.add(KnowledgeDoc.Kind.valueOf(k.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new ApiException(ErrorCode.INVALID_PARAMETER, "kind", "namespace, metric, policy or instance");
        }
      }
    }
    KnowledgeSearch.Mode m;
    try {
      m = mode == null ? KnowledgeSearch.Mode.AUTO : KnowledgeSearch.Mode.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, "mode", "auto, vector or keyword");
    }
    return search.search(caller, q.trim(), kinds, limit, m);
  }
}
