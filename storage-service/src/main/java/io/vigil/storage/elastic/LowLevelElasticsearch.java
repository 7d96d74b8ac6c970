package io.vigil.storage.elastic;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * What the two hot paths that bypass the typed client (bulk indexing and the series step search)
 * share: the low-level client under the typed one, and the reading of an error Elasticsearch wrote
 * into an answer.
 */
public final class LowLevelElasticsearch {

  private LowLevelElasticsearch() {}

  /** The low-level client under the typed one (Spring Boot's client is always built on it). */
  public static Rest5Client client(ElasticsearchClient client) {
    if (client._transport() instanceof Rest5ClientTransport transport) {
      return transport.restClient();
    }
    throw new IllegalStateException("the Elasticsearch client is not built on the low-level REST client: "
        + client._transport().getClass().getName());
  }

  /**
   * An error, the parser on its value: {@code {"type":...,"reason":...}} as "type: reason" (an error
   * written as plain text is returned as it is).
   */
  public static String errorText(JsonParser p) {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      String text = p.getString();
      p.skipChildren();
      return text;
    }
    String type = null;
    String reason = null;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (field.equals("type")) {
        type = p.getString();
      } else if (field.equals("reason")) {
        reason = p.getString();
      } else {
        p.skipChildren();
      }
    }
    return type + ": " + reason;
  }
}
