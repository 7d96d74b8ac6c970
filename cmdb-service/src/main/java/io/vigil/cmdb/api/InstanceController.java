package io.vigil.cmdb.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.cmdb.instances.Instance;
import io.vigil.cmdb.instances.InstanceCache;
import io.vigil.cmdb.instances.InstanceKey;
import io.vigil.cmdb.instances.InstanceService;
import io.vigil.cmdb.instances.InstanceService.WriteRequest;
import io.vigil.cmdb.instances.OnStale;
import io.vigil.cmdb.instances.WriteResult;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.Names;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Violations;
import io.vigil.common.security.CurrentCaller;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.common.web.Versions;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Instances of monitored objects (the dimension data of the monitoring CMDB). An instance is named
 * by its namespace ({@code product/family}, two path segments), region and id: {@code
 * /v1/instances/qce/cvm/ap-guangzhou/ins-1}.
 */
@RestController
@RequestMapping("/v1/instances")
@Tag(name = "instances")
@Validated
public class InstanceController {

  /** The most items a batch write or look-up takes. */
  public static final int MAX_BATCH = 1000;
  private static final byte[] INSTANCES_HEAD = "{\"instances\":[".getBytes(StandardCharsets.UTF_8);

  private final InstanceService instances;

  public InstanceController(InstanceService instances) {
    this.instances = instances;
  }

  /** The content of an upsert: the writer's version of this state and the instance's data. */
  public record InstanceBody(Long version, Map<String, String> attributes, Map<String, String> tags) {}

  /** One item of a batch; {@code op} is {@code UPSERT} (default) or {@code DELETE}. */
  public record BatchItem(String namespace, String region, String instanceId, String op, Long version,
      Map<String, String> attributes, Map<String, String> tags) {}

  public record BatchRequest(String onStale, List<BatchItem> items) {}

  public record BatchResult(List<WriteResult> items) {}

  public record KeyRef(String namespace, String region, String instanceId) {}

  public record LookupRequest(List<KeyRef> keys) {}

  /**
   * @param instances the live instances found that the caller may read, in the order asked
   * @param missing the keys with no such instance (unknown, deleted, or another tenant's)
   */
  public record LookupResult(List<Instance> instances, List<KeyRef> missing) {}

  @GetMapping("/{product}/{family}/{region}/{instanceId}")
  @Operation(summary = "An instance; its ETag is its version")
  public ResponseEntity<Instance> get(@PathVariable String product, @PathVariable String family,
      @PathVariable String region, @PathVariable String instanceId) {
    VigilPrincipal caller = CurrentCaller.authenticated();
    InstanceKey key = key(product, family, region, instanceId);
    Instance i = instances.get(caller, key);
    return ResponseEntity.ok().header(HttpHeaders.ETAG, Versions.etag(i.version())).body(i);
  }

  @PutMapping(path = "/{product}/{family}/{region}/{instanceId}", consumes = "application/json")
  @Operation(summary = "Creates or replaces an instance at the writer's version",
      description = "A version not newer than the stored one is never applied: 409, or 200 with outcome"
          + " IGNORED_STALE when onStale=ignore. The same version with the same content is a retry (UNCHANGED)."
          + " If-Match (an ETag read before) makes an operator's read-modify-write safe.")
  public WriteResult put(@PathVariable String product, @PathVariable String family, @PathVariable String region,
      @PathVariable String instanceId,
      @Parameter(description = "reject (409, default) or ignore a write older than the stored version")
      @RequestParam(required = false) String onStale,
      @RequestHeader(name = "If-Match", required = false) String ifMatch, @RequestBody InstanceBody body) {
    VigilPrincipal caller = CurrentCaller.authenticated();
    if (body == null) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "version", "a body with the version is required");
    }
    WriteRequest r = new WriteRequest(product + "/" + family, region, instanceId, body.version(), false,
        body.attributes(), body.tags(), ifMatch == null ? null : Versions.ifMatch(ifMatch));
    return instances.write(caller, List.of(r), onStale(onStale)).get(0);
  }

  @DeleteMapping("/{product}/{family}/{region}/{instanceId}")
  @Operation(summary = "Deletes an instance at the writer's version, leaving a tombstone",
      description = "A later upsert with an older version cannot bring it back. Deleting an instance never seen"
          + " still leaves the tombstone, so an upsert that arrives late stays out.")
  public WriteResult delete(@PathVariable String product, @PathVariable String family, @PathVariable String region,
      @PathVariable String instanceId,
      @Parameter(description = "the writer's version of the deletion, > 0") @RequestParam(required = false) Long version,
      @RequestParam(required = false) String onStale,
      @RequestHeader(name = "If-Match", required = false) String ifMatch) {
    VigilPrincipal caller = CurrentCaller.authenticated();
    WriteRequest r = new WriteRequest(product + "/" + family, region, instanceId, version, true, null, null,
        ifMatch == null ? null : Versions.ifMatch(ifMatch));
    return instances.write(caller, List.of(r), onStale(onStale)).get(0);
  }

  @PostMapping(path = "/batch", consumes = "application/json")
  @Operation(summary = "Writes up to 1,000 instances, all or nothing",
      description = "Every bad field of every item is named (items[7].version); with onStale=reject one stale"
          + " item refuses the batch (409), with onStale=ignore it is skipped and reported. The route's body"
          + " limit is 8 MB.")
  public BatchResult batch(@RequestBody BatchRequest request) {
    VigilPrincipal caller = CurrentCaller.authenticated();
    Violations v = new Violations();
    v.check(request != null && request.items() != null && !request.items().isEmpty()
        && request.items().size() <= MAX_BATCH, "items", "1 to " + MAX_BATCH + " items");
    v.throwIfAny();
    List<WriteRequest> writes = new ArrayList<>(request.items().size());
    for (int i = 0; i < request.items().size(); i++) {
      BatchItem b = request.items().get(i);
      if (b == null) {
        writes.add(null);
        continue;
      }
      boolean delete = "DELETE".equals(b.op());
      v.check(b.op() == null || delete || "UPSERT".equals(b.op()), "items[" + i + "].op", "UPSERT or DELETE");
      writes.add(new WriteRequest(b.namespace(), b.region(), b.instanceId(), b.version(), delete, b.attributes(),
          b.tags(), null));
    }
    v.throwIfAny();
    return new BatchResult(instances.write(caller, writes, onStale(request.onStale())));
  }

  /**
   * The answer is written by hand from the cached JSON of each instance, its bytes copied straight
   * into the response (reading and writing 100 instances again was most of the route's time, and
   * building the answer as a string made three copies of it); its shape is {@link LookupResult}.
   */
  @PostMapping(path = "/lookup", consumes = "application/json", produces = "application/json")
  @Operation(summary = "Up to 1,000 instances by key in one call (enrichment)",
      description = "Warm keys are answered from the cache in one round trip; keys the caller may not read"
          + " are reported missing, like unknown ones.")
  @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", description = "found and missing",
      content = @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/json",
          schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = LookupResult.class)))
  public void lookup(@RequestBody LookupRequest request, HttpServletResponse response) throws IOException {
    VigilPrincipal caller = CurrentCaller.authenticated();
    Violations v = new Violations();
    v.check(request != null && request.keys() != null && !request.keys().isEmpty()
        && request.keys().size() <= MAX_BATCH, "keys", "1 to " + MAX_BATCH + " keys");
    v.throwIfAny();
    List<InstanceKey> keys = new ArrayList<>(request.keys().size());
    java.util.Set<String> goodNamespaces = new java.util.HashSet<>();
    java.util.Set<String> goodRegions = new java.util.HashSet<>();
    for (int i = 0; i < request.keys().size(); i++) {
      KeyRef k = request.keys().get(i);
      if (k == null) {
        v.add("keys[" + i + "]", "a key is required");
        continue;
      }
      InstanceKey.check(v, "keys[" + i + "].", k.namespace(), k.region(), k.instanceId(), goodNamespaces,
          goodRegions);
      keys.add(new InstanceKey(k.namespace(), k.region(), k.instanceId()));
    }
    v.throwIfAny();
    Map<InstanceKey, InstanceCache.Entry> found = instances.lookup(caller, keys.stream().distinct().toList(), true);
    List<KeyRef> missing = new ArrayList<>();
    for (InstanceKey k : keys) {
      if (!found.containsKey(k)) {
        missing.add(new KeyRef(k.namespace(), k.region(), k.instanceId()));
      }
    }
    byte[] tail = ("],\"missing\":" + ControlJson.write(missing) + "}").getBytes(StandardCharsets.UTF_8);
    long length = INSTANCES_HEAD.length + tail.length + Math.max(0, found.size() - 1);
    for (InstanceCache.Entry e : found.values()) {
      length += e.json().length;
    }
    response.setStatus(200);
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    response.setContentLengthLong(length);
    OutputStream out = response.getOutputStream();
    out.write(INSTANCES_HEAD);
    boolean first = true;
    for (InstanceCache.Entry e : found.values()) {
      if (!first) {
        out.write(',');
      }
      out.write(e.json());
      first = false;
    }
    out.write(tail);
  }

  @GetMapping
  @Operation(summary = "Searches live instances by namespace, region, tenant, attributes and tags",
      description = "attribute and tag are repeatable, each name=value, all must hold. Pages follow the"
          + " cursor of the previous answer.")
  public InstanceService.Page search(@RequestParam(required = false) String namespace,
      @RequestParam(required = false) String region, @RequestParam(required = false) String tenant,
      @Parameter(description = "name=value; repeatable") @RequestParam(required = false) List<String> attribute,
      @Parameter(description = "key=value; repeatable") @RequestParam(required = false) List<String> tag,
      @RequestParam(required = false) String cursor,
      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
    VigilPrincipal caller = CurrentCaller.authenticated();
    Violations v = new Violations();
    if (namespace != null) {
      v.check(Names.matches(Names.NAMESPACE, namespace), "namespace",
          "product/family, e.g. qce/cvm");
    }
    if (region != null) {
      v.check(Names.matches(Names.SLUG, region), "region",
          "a region name, e.g. ap-guangzhou");
    }
    if (tenant != null) {
      v.check(Names.matches(Names.TENANT, tenant), "tenant",
          "a tenant id");
    }
    Map<String, String> attributes = pairs(v, "attribute", attribute);
    Map<String, String> tags = pairs(v, "tag", tag);
    Long after = null;
    if (cursor != null) {
      try {
        after = Long.parseLong(cursor);
      } catch (NumberFormatException e) {
        v.add("cursor", "a cursor from a previous answer");
      }
    }
    if (!v.isEmpty()) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, v.list());
    }
    return instances.search(caller, namespace, region, tenant, attributes, tags, after, limit);
  }

  private static Map<String, String> pairs(Violations v, String field, List<String> raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null) {
      return out;
    }
    v.check(raw.size() <= 8, field, "at most 8 conditions");
    for (String p : raw) {
      int eq = p.indexOf('=');
      if (v.check(eq > 0 && eq < p.length() - 1, field, "name=value, e.g. " + field + "=env=prod")) {
        out.put(p.substring(0, eq), p.substring(eq + 1));
      }
    }
    return out;
  }

  private static InstanceKey key(String product, String family, String region, String instanceId) {
    Violations v = new Violations();
    InstanceKey.check(v, "", product + "/" + family, region, instanceId);
    if (!v.isEmpty()) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, v.list());
    }
    return new InstanceKey(product + "/" + family, region, instanceId);
  }

  private static OnStale onStale(String value) {
    if (value == null || value.equalsIgnoreCase("reject")) {
      return OnStale.REJECT;
    }
    if (value.equalsIgnoreCase("ignore")) {
      return OnStale.IGNORE;
    }
    throw new ApiException(ErrorCode.INVALID_PARAMETER, "onStale", "reject or ignore");
  }
}
