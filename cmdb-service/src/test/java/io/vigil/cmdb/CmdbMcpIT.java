package io.vigil.cmdb;

import static io.vigil.cmdb.CmdbFixtures.ACME_KEY;
import static io.vigil.cmdb.CmdbFixtures.VM;
import static io.vigil.common.testing.VigilTestInitializer.T1_OPERATOR_KEY;
import static io.vigil.common.testing.VigilTestInitializer.T2_OPERATOR_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.VigilServiceTest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The MCP server through the official SDK's client over Streamable HTTP: every tool listed and
 * called, as a tenant's operator. Policy-service and storage are a real HTTP server here that
 * answers their routes and records what reached it: the caller's own key (so the peers scope the
 * answer to its tenants) and the query the tool built.
 */
@VigilServiceTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CmdbMcpIT {

  static final HttpServer PEERS = peers();
  static final ConcurrentLinkedQueue<String> SEEN = new ConcurrentLinkedQueue<>();

  static HttpServer peers() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/v1/tenants/t1/policies", e -> answer(e, "{\"items\":[{\"id\":\"pol_MCP\",\"object\":"
          + "{\"name\":\"db lag\"}}]}"));
      server.createContext("/v1/alerts/open", e -> answer(e, "{\"items\":[{\"alertKey\":\"pol_MCP:abc\","
          + "\"status\":\"FIRING\"}]}"));
      server.createContext("/v1/alerts/events", e -> answer(e, "{\"items\":[{\"alertKey\":\"pol_MCP:abc\","
          + "\"status\":\"RESOLVED\"}]}"));
      server.createContext("/v1/series/query", e -> answer(e, "{\"series\":[{\"points\":[[1,2.5]]}]}"));
      server.start();
      return server;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void answer(HttpExchange e, String body) throws java.io.IOException {
    try (e) {
      String sent = new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      SEEN.add(e.getRequestMethod() + " " + e.getRequestURI() + " " + e.getRequestHeaders().getFirst("Authorization")
          + " " + sent);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      e.getResponseHeaders().add("Content-Type", "application/json");
      e.sendResponseHeaders(200, bytes.length);
      e.getResponseBody().write(bytes);
    }
  }

  @DynamicPropertySource
  static void peersAreTheStub(DynamicPropertyRegistry registry) {
    String base = "http://127.0.0.1:" + PEERS.getAddress().getPort();
    registry.add("vigil.services.storage.base-url", () -> base);
    registry.add("vigil.services.policy.base-url", () -> base);
  }

  @AfterAll
  void stopPeers() {
    PEERS.stop(0);
  }

  @LocalServerPort
  int port;

  String instance;

  @BeforeAll
  void data() {
    Http http = new Http(port);
    CmdbFixtures.seed();
    instance = "mcp-" + Long.toHexString(System.nanoTime());
    Awaits.until("an instance is written", () -> CmdbFixtures.send(http, "PUT",
        "/v1/instances/" + VM + "/ap-guangzhou/" + instance, ACME_KEY, CmdbFixtures.vm("t1", instance, 1))
        .statusCode() == 200);
    var jdbc = CmdbFixtures.control();
    if (jdbc.queryForObject("SELECT COUNT(*) FROM ctl_namespaces WHERE id = 'kc/disk'", Integer.class) == 0) {
      CmdbFixtures.namespace(jdbc, new io.vigil.common.control.NamespaceConfig("kc/disk", "Cloud disks", null,
          List.of("instance"), null, List.of(new io.vigil.common.control.NamespaceConfig.Metric("disk_read_latency_ms",
              "ms", "Average time a read from the disk takes")), null, null, null, null, null, null, null)
          .withDefaults());
      CmdbFixtures.announce(EntityType.NAMESPACE, "kc/disk", null, 1);
    }
  }

  McpSyncClient client(String key) {
    McpSyncClient c = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
            .endpoint("/mcp")
            .httpRequestCustomizer((b, method, uri, body, ctx) -> b.header("Authorization", "Bearer " + key))
            .build())
        .requestTimeout(Duration.ofSeconds(20)).build();
    c.initialize();
    return c;
  }

  static JsonNode call(McpSyncClient c, String tool, Map<String, Object> args) {
    McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest(tool, args));
    String text = ((McpSchema.TextContent) r.content().get(0)).text();
    assertThat(r.isError()).as("%s: %s", tool, text).isNotEqualTo(Boolean.TRUE);
    return Http.JSON.readTree(text);
  }

  @Test
  void everyToolIsListedAndAnswersAsTheCaller() {
    try (McpSyncClient c = client(T1_OPERATOR_KEY)) {
      List<String> tools = c.listTools().tools().stream().map(McpSchema.Tool::name).toList();
      assertThat(tools).containsExactlyInAnyOrder("knowledge_search", "get_instance", "search_instances",
          "list_policies", "open_alerts", "alert_history", "series_values");
      c.listTools().tools().forEach(t -> assertThat(t.inputSchema()).containsKey("properties"));

      Awaits.until("the disk metric is searchable", () -> call(c, "knowledge_search",
          Map.of("q", "disk_read_latency_ms", "kind", List.of("metric"))).path("hits").path(0).path("id").asString()
          .equals("kc/disk:disk_read_latency_ms"));
      JsonNode search = call(c, "knowledge_search", Map.of("q", "disk_read_latency_ms"));
      assertThat(search.path("mode").asString()).isEqualTo("vector");

      JsonNode got = call(c, "get_instance", Map.of("namespace", VM, "region", "ap-guangzhou", "instanceId", instance));
      assertThat(got.path("attributes").path("private_ip").asString()).isEqualTo("10.0.3.17");
      JsonNode found = call(c, "search_instances", Map.of("namespace", VM, "attributes", Map.of("instance", instance)));
      assertThat(found.path("items").size()).isEqualTo(1);

      assertThat(call(c, "list_policies", Map.of("tenant", "t1", "namespace", "qce/cdb")).path("items").get(0)
          .path("id").asString()).isEqualTo("pol_MCP");
      assertThat(call(c, "open_alerts", Map.of("tenant", "t1")).path("items").get(0).path("status").asString())
          .isEqualTo("FIRING");
      assertThat(call(c, "alert_history", Map.of("fromMs", 1, "toMs", 2, "namespace", "qce/cdb")).path("items").get(0)
          .path("status").asString()).isEqualTo("RESOLVED");
      assertThat(call(c, "series_values", Map.of("namespace", VM, "metric", "cpu", "period", 60, "fromMs", 1,
          "toMs", 2)).path("series").size()).isEqualTo(1);
    }
    // each peer call carried the operator's own key and the arguments as the peer's parameters
    List<String> seen = List.copyOf(SEEN);
    assertThat(seen).anySatisfy(s -> assertThat(s).startsWith("GET /v1/tenants/t1/policies?limit=100&namespace=qce/cdb"
        + " Bearer " + T1_OPERATOR_KEY));
    assertThat(seen).anySatisfy(s -> assertThat(s).startsWith("GET /v1/alerts/open?limit=20&tenant=t1 Bearer "
        + T1_OPERATOR_KEY));
    assertThat(seen).anySatisfy(s -> assertThat(s).startsWith("GET /v1/alerts/events?fromMs=1&toMs=2&limit=20"
        + "&namespace=qce/cdb Bearer " + T1_OPERATOR_KEY));
    assertThat(seen).anySatisfy(s -> assertThat(s).startsWith("POST /v1/series/query Bearer " + T1_OPERATOR_KEY)
        .contains("\"metric\":\"cpu\"").contains("\"maxPoints\":100"));
  }

  @Test
  void theCmdbsOwnToolsAreTenantScopedAndBadArgumentsAreToolErrors() {
    try (McpSyncClient c = client(T2_OPERATOR_KEY)) {
      McpSchema.CallToolResult other = c.callTool(new McpSchema.CallToolRequest("get_instance",
          Map.of("namespace", VM, "region", "ap-guangzhou", "instanceId", instance)));
      assertThat(other.isError()).isTrue();
      assertThat(((McpSchema.TextContent) other.content().get(0)).text()).startsWith("not_found");
      assertThat(call(c, "search_instances", Map.of("namespace", VM, "attributes", Map.of("instance", instance)))
          .path("items").size()).isZero();
      // the input schema is checked first (by the SDK), then the tool's own rules, each naming the argument
      McpSchema.CallToolResult wrongType = c.callTool(new McpSchema.CallToolRequest("series_values",
          Map.of("namespace", VM, "metric", "cpu", "period", "x", "fromMs", 1, "toMs", 2)));
      assertThat(wrongType.isError()).isTrue();
      assertThat(((McpSchema.TextContent) wrongType.content().get(0)).text()).contains("period");
      McpSchema.CallToolResult bad = c.callTool(new McpSchema.CallToolRequest("series_values",
          Map.of("namespace", "not a namespace", "metric", "cpu", "period", 60, "fromMs", 1, "toMs", 2,
              "limit", 5)));
      assertThat(bad.isError()).isTrue();
      assertThat(((McpSchema.TextContent) bad.content().get(0)).text()).contains("limit");
      McpSchema.CallToolResult badName = c.callTool(new McpSchema.CallToolRequest("list_policies",
          Map.of("tenant", "no spaces allowed")));
      assertThat(badName.isError()).isTrue();
      assertThat(((McpSchema.TextContent) badName.content().get(0)).text()).contains("tenant");
    }
  }

  /**
   * Bad input is answered in the protocol's terms, a JSON-RPC error object, never the SDK's exception
   * serialised; a good message with the right Accept still reaches the server.
   */
  @Test
  void badInputIsAJsonRpcErrorNotAnException() {
    Http http = new Http(port);
    String both = "application/json, text/event-stream";
    record Case(String accept, String body, int code) {}
    for (Case c : List.of(new Case(null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", -32600),
        new Case(both, "{\"jsonrpc\": ", -32700), new Case(both, "[]", -32600), new Case(both, "42", -32600),
        new Case(both, "{\"jsonrpc\":\"1.0\",\"method\":\"x\"}", -32600),
        new Case(both, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"x\"}", -32600),
        new Case(both, "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":7}", -32600))) {
      var request = http.request("/mcp").header("Authorization", "Bearer " + T1_OPERATOR_KEY)
          .header("Content-Type", "application/json");
      if (c.accept() != null) {
        request.header("Accept", c.accept());
      }
      var r = http.send(request.POST(java.net.http.HttpRequest.BodyPublishers.ofString(c.body())).build());
      assertThat(r.statusCode()).as(c.toString()).isEqualTo(400);
      JsonNode answer = Http.json(r);
      assertThat(answer.path("jsonrpc").asString()).as(c.toString()).isEqualTo("2.0");
      assertThat(answer.path("error").path("code").asInt()).as(c.toString()).isEqualTo(c.code());
      assertThat(r.body()).doesNotContain("Exception").doesNotContain("localizedMessage").doesNotContain("cause");
    }
    var ok = http.send(http.request("/mcp").header("Authorization", "Bearer " + T1_OPERATOR_KEY)
        .header("Content-Type", "application/json").header("Accept", both)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")).build());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("knowledge_search");
  }

  @Test
  void anMcpClientWithoutAValidKeyIsRefused() {
    assertThatThrownBy(() -> client("not-a-key")).isInstanceOf(RuntimeException.class);
  }
}
