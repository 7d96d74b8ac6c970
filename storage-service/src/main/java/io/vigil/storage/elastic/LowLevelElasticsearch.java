package io.vigil.storage.elastic;

import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.RequestOptions;
import co.elastic.clients.transport.rest5_client.low_level.Response;
import co.elastic.clients.transport.rest5_client.low_level.ResponseException;
import io.vigil.common.error.DependencyUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.dataformat.smile.SmileFactory;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * What the hot paths that bypass the typed client (bulk indexing, the series step search, hour
 * blocks) share: the low-level client under the typed one, and the reading of a search answer and
 * of an error Elasticsearch wrote into an answer.
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
   * A search Elasticsearch refused, by status: overloaded or away (429, 502 and above) waits like any
   * dependency; anything else is a search this service built wrong (answered 500, the reason logged).
   */
  public static RuntimeException refused(String what, int status, String text) {
    if (status == 429 || status >= 502) {
      return new DependencyUnavailableException("elasticsearch", "a " + what + " was refused with " + status + ": "
          + text);
    }
    return new IllegalStateException("Elasticsearch refused a " + what + " with " + status + ": " + text);
  }

  /** Reads one field of a search answer, the parser on its value (which it must read or skip). */
  @FunctionalInterface
  public interface AnswerField {
    void read(String name, JsonParser p);
  }

  /**
   * Reads one search answer (alone, or one of an {@code _msearch}'s), the parser inside its object:
   * {@code status}, {@code error} and {@code _shards} here, every other field to {@code fields}. A
   * failed shard is Elasticsearch unavailable (a partial answer would chart gaps that are not
   * there); an error is {@link #refused}.
   */
  public static void readSearchAnswer(JsonParser p, String what, AnswerField fields) {
    int status = 200;
    String error = null;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "status" -> status = p.getIntValue();
        case "error" -> error = errorText(p);
        case "_shards" -> {
          while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("failed") && p.getIntValue() > 0) {
              throw new DependencyUnavailableException("elasticsearch", p.getIntValue() + " shards failed to answer a "
                  + what);
            }
            p.skipChildren();
          }
        }
        default -> fields.read(name, p);
      }
    }
    if (error != null) {
      throw refused(what, status, error);
    }
  }

  /**
   * Walks an {@code _msearch} answer {@code {"responses":[{...},...]}} from its start, {@code
   * response} reading each answer's fields ({@link #readSearchAnswer}).
   */
  public static void eachResponse(JsonParser p, Runnable response) {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IllegalStateException("unexpected answer from Elasticsearch: " + p.currentToken());
    }
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      if (p.nextToken() != JsonToken.START_ARRAY || !name.equals("responses")) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        response.run();
      }
    }
  }

  /** Walks {@code {"hits":[{...},...]}}, the parser on its object, {@code hit} reading each one's fields. */
  public static void eachHit(JsonParser p, Runnable hit) {
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      p.nextToken();
      if (!p.currentName().equals("hits")) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        hit.run();
      }
    }
  }

  private static final SmileFactory SMILE = new SmileFactory();
  private static final RequestOptions ANSWER_AS_SMILE = RequestOptions.DEFAULT.toBuilder()
      .addHeader("Accept", "application/smile").build();

  /**
   * Sends a search (or {@code _msearch}) with its answer asked for as Smile, Elasticsearch's binary
   * JSON (faster to write and to read for numbers), and reads the answer with {@code read}. A
   * refusal is {@link #refused}, with Elasticsearch's reason read from the (Smile) answer: the
   * exception's own message would carry it as binary.
   */
  public static <T> T searchAsSmile(Rest5Client rest, Request request, String what, Function<JsonParser, T> read)
      throws IOException {
    request.setOptions(ANSWER_AS_SMILE);
    Response response;
    try {
      response = rest.performRequest(request);
    } catch (ResponseException e) {
      throw refused(what, e.getResponse().getStatusCode(), refusal(e.getResponse()));
    }
    try (InputStream in = response.getEntity().getContent();
        JsonParser p = SMILE.createParser(ObjectReadContext.empty(), in)) {
      return read.apply(p);
    }
  }

  /** The "type: reason" of a refused request's answer (JSON or Smile), or its status line when it has none. */
  public static String refusal(Response response) {
    String type = response.getHeader("Content-Type");
    try (InputStream in = response.getEntity().getContent()) {
      return refusalOf(type != null && type.startsWith("application/json")
          ? new JsonFactory().createParser(ObjectReadContext.empty(), in)
          : SMILE.createParser(ObjectReadContext.empty(), in));
    } catch (IOException | RuntimeException e) {
      return response.getRequestLine() + " answered " + response.getStatusCode();
    }
  }

  /** Reads {@code {"error":{"type":...,"reason":...},"status":n}}. */
  public static String refusalOf(JsonParser p) {
    try (p) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return "an answer without an error";
      }
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("error")) {
          return errorText(p);
        }
        p.skipChildren();
      }
      return "an answer without an error";
    }
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
