package io.vigil.cmdb.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vigil.cmdb.instances.InstanceService;
import io.vigil.cmdb.knowledge.KnowledgeSearch;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.common.services.ServiceClients;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The MCP server at {@code /mcp} (Streamable HTTP, stateless: any cmdb instance answers any call,
 * so it scales out behind a load balancer without session affinity). The request passes the shared
 * security chain first: an MCP client authenticates like any API client ({@code Authorization:
 * Bearer}); the principal and key go to the tools through the transport context.
 */
@Configuration(proxyBeanMethods = false)
public class McpConfig {

  public static final String ENDPOINT = "/mcp";

  @Bean
  HttpServletStatelessServerTransport mcpTransport() {
    return HttpServletStatelessServerTransport.builder().messageEndpoint(ENDPOINT)
        .contextExtractor(McpConfig::context).build();
  }

  @Bean(destroyMethod = "close")
  McpStatelessSyncServer mcpServer(HttpServletStatelessServerTransport transport, KnowledgeSearch knowledge,
      InstanceService instances, ServiceClients peers) {
    return McpServer.sync(transport).serverInfo("vigil-cmdb", "1")
        .instructions("Read-only tools over Vigil, the monitoring platform: what metrics, namespaces, policies and"
            + " instances exist (knowledge_search first), the instances' data, and through the owning services the"
            + " policies, open alerts, alert history and series values the caller may see.")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
        .requestTimeout(Duration.ofSeconds(20))
        .tools(new VigilTools(knowledge, instances, peers).all())
        .build();
  }

  @Bean
  ServletRegistrationBean<HttpServletStatelessServerTransport> mcpServlet(HttpServletStatelessServerTransport t) {
    ServletRegistrationBean<HttpServletStatelessServerTransport> reg = new ServletRegistrationBean<>(t, ENDPOINT);
    reg.setAsyncSupported(true);
    reg.setName("mcp");
    return reg;
  }

  /** Bad input to {@code /mcp} answered as JSON-RPC errors, after the security chain, before the transport. */
  @Bean
  org.springframework.boot.web.servlet.FilterRegistrationBean<McpRequestGuard> mcpRequestGuard() {
    var reg = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(new McpRequestGuard());
    reg.addUrlPatterns(ENDPOINT);
    reg.setOrder(0);
    reg.setName("mcpRequestGuard");
    return reg;
  }

  /**
   * {@code /mcp} in the OpenAPI document: it is a servlet, not a controller, so it is described by
   * hand (JSON-RPC 2.0 messages of the MCP protocol; tools are listed by {@code tools/list}).
   */
  @Bean
  org.springdoc.core.customizers.OpenApiCustomizer mcpPath() {
    return api -> {
      var message = new io.swagger.v3.oas.models.media.ObjectSchema()
          .description("a JSON-RPC 2.0 request or notification of the MCP protocol (initialize, tools/list,"
              + " tools/call)")
          .addProperty("jsonrpc", new io.swagger.v3.oas.models.media.StringSchema()._enum(java.util.List.of("2.0")))
          .addProperty("id", new io.swagger.v3.oas.models.media.Schema<>())
          .addProperty("method", new io.swagger.v3.oas.models.media.StringSchema())
          .addProperty("params", new io.swagger.v3.oas.models.media.ObjectSchema());
      message.setRequired(java.util.List.of("jsonrpc", "method"));
      var json = new io.swagger.v3.oas.models.media.Content().addMediaType("application/json",
          new io.swagger.v3.oas.models.media.MediaType().schema(message));
      var op = new io.swagger.v3.oas.models.Operation().summary("MCP over Streamable HTTP (stateless)")
          .description("Read-only tools over Vigil for assistants, as the caller: knowledge_search, get_instance,"
              + " search_instances, list_policies, open_alerts, alert_history, series_values.")
          .addTagsItem("mcp")
          .requestBody(new io.swagger.v3.oas.models.parameters.RequestBody().required(true).content(json))
          .responses(new io.swagger.v3.oas.models.responses.ApiResponses()
              .addApiResponse("200", new io.swagger.v3.oas.models.responses.ApiResponse()
                  .description("the JSON-RPC response (a tool's failure is a result with isError)"))
              .addApiResponse("202", new io.swagger.v3.oas.models.responses.ApiResponse()
                  .description("a notification, accepted"))
              .addApiResponse("400", new io.swagger.v3.oas.models.responses.ApiResponse()
                  .description("not a JSON-RPC 2.0 message, not JSON, or an Accept header without application/json"
                      + " and text/event-stream: a JSON-RPC error object (code -32700 or -32600)")));
      api.path(ENDPOINT, new io.swagger.v3.oas.models.PathItem().post(op));
    };
  }

  /** The authenticated caller of the HTTP request, and its key, for the tools. */
  static McpTransportContext context(HttpServletRequest request) {
    Map<String, Object> m = new HashMap<>();
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth != null && auth.getPrincipal() instanceof VigilPrincipal p) {
      m.put(VigilTools.PRINCIPAL, p);
    }
    String header = request.getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      m.put(VigilTools.KEY, header.substring(7).trim());
    }
    return McpTransportContext.create(m);
  }
}
