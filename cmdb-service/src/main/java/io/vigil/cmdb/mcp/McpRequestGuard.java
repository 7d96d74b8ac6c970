package io.vigil.cmdb.mcp;

import io.vigil.common.web.CachedBodyRequest;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a POST to {@code /mcp} before the MCP SDK's transport sees it, so bad input gets the
 * protocol's own answer: the transport turns a refusal into its exception object serialised as JSON
 * (cause, stack-free but naming Java fields), which is no contract for a client. Here a request that
 * does not accept both {@code application/json} and {@code text/event-stream} (Streamable HTTP), is
 * not JSON, or is not a JSON-RPC 2.0 message (an object, or a batch of them, with {@code jsonrpc}
 * "2.0" and a {@code method}, or a response with {@code result} or {@code error}) is answered 400 with
 * a JSON-RPC error object ({@code -32700} parse error, {@code -32600} invalid request); anything else
 * goes on, its body replayed.
 */
public class McpRequestGuard extends OncePerRequestFilter {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !"POST".equals(request.getMethod());
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String accept = request.getHeader("Accept");
    if (accept == null || !accept.contains("application/json") || !accept.contains("text/event-stream")) {
      refuse(response, -32600, "MCP over Streamable HTTP: the Accept header must include application/json and"
          + " text/event-stream");
      return;
    }
    byte[] body = request.getInputStream().readAllBytes();
    JsonNode message;
    try {
      message = JSON.readTree(body);
    } catch (JacksonException e) {
      refuse(response, -32700, "parse error: the body is not JSON");
      return;
    }
    if (!isMessage(message)) {
      refuse(response, -32600, "invalid request: not a JSON-RPC 2.0 message (jsonrpc \"2.0\" and a method)");
      return;
    }
    chain.doFilter(new CachedBodyRequest(request, body), response);
  }

  static boolean isMessage(JsonNode node) {
    if (node == null) {
      return false;
    }
    if (node.isArray()) {
      if (node.isEmpty()) {
        return false;
      }
      for (JsonNode element : node) {
        if (!isOne(element)) {
          return false;
        }
      }
      return true;
    }
    return isOne(node);
  }

  private static boolean isOne(JsonNode node) {
    if (!node.isObject() || !"2.0".equals(node.path("jsonrpc").asString(""))) {
      return false;
    }
    JsonNode id = node.get("id");
    if (id != null && !(id.isString() || id.isIntegralNumber() || id.isNull())) {
      return false;
    }
    if (node.has("method")) {
      JsonNode params = node.get("params");
      return node.get("method").isString() && (params == null || params.isObject() || params.isArray());
    }
    return id != null && (node.has("result") || node.has("error"));
  }

  private static void refuse(HttpServletResponse response, int code, String message) throws IOException {
    response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    tools.jackson.databind.node.ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0").putNull("id");
    answer.putObject("error").put("code", code).put("message", message);
    response.getWriter().write(JSON.writeValueAsString(answer));
  }
}
