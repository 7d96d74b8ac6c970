package io.vigil.storage.rollup;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.indices.PutIndexTemplateRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The index template every rollup index is created from: explicit mappings with {@code dynamic:
 * false} (a field a later schema adds stays in {@code _source} and maps nothing), dimensions as one
 * {@code flattened} field (any number of dimension keys, one mapping: no mapping explosion), the
 * statistics stored but not indexed (they are read, never searched), and the shard count, replicas
 * and refresh interval of the deployment. Text in {@code elasticsearch/rollups-template.json}.
 */
public final class RollupTemplate {

  private static final Pattern REFRESH = Pattern.compile("-1|[1-9][0-9]{0,5}(ms|s|m)");

  /** The index settings rollup indices are created with. */
  public record Settings(int shards, int replicas, String refreshInterval) {
    public Settings {
      if (shards < 1 || shards > 1024) {
        throw new IllegalArgumentException("rollup index shards must be 1..1024: " + shards);
      }
      if (replicas < 0 || replicas > 16) {
        throw new IllegalArgumentException("rollup index replicas must be 0..16: " + replicas);
      }
      if (refreshInterval == null || !REFRESH.matcher(refreshInterval).matches()) {
        throw new IllegalArgumentException("rollup index refresh interval must be -1 or a number with ms, s or m: "
            + refreshInterval);
      }
    }
  }

  private RollupTemplate() {}

  /** The template's name: the pattern's prefix, so a test run's template never touches a deployment's. */
  public static String name(RollupIndices indices) {
    String pattern = indices.pattern();
    return pattern.substring(0, pattern.length() - 1) + "template";
  }

  /** The template's body for these indices and settings. */
  public static String body(RollupIndices indices, Settings settings) {
    return body("rollups-template.json", indices.pattern(), settings);
  }

  /** A template's body from its resource under {@code elasticsearch/}, for indices matching the pattern. */
  public static String body(String resource, String pattern, Settings settings) {
    try (InputStream in = RollupTemplate.class.getResourceAsStream("/elasticsearch/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("elasticsearch/" + resource + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@PATTERN@", pattern)
          .replace("@SHARDS@", Integer.toString(settings.shards()))
          .replace("@REPLICAS@", Integer.toString(settings.replicas()))
          .replace("@REFRESH@", settings.refreshInterval());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Puts (creates or replaces) the template; indices created after it take its settings and mappings. */
  public static void install(ElasticsearchClient client, RollupIndices indices, Settings settings) throws IOException {
    install(client, name(indices), body(indices, settings));
  }

  /**
   * Puts (creates or replaces) a template by name. A template Elasticsearch refuses leaves the store
   * unusable, not the record being written: it is an unavailable dependency (the consumer pauses and
   * retries, loudly), never a reason to dead-letter good records.
   */
  public static void install(ElasticsearchClient client, String name, String body) throws IOException {
    try {
      client.indices().putIndexTemplate(PutIndexTemplateRequest.of(b -> b.withJson(new StringReader(body)).name(name)));
    } catch (co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
      StringBuilder why = new StringBuilder(e.getMessage());
      for (var cause = e.error().causedBy(); cause != null; cause = cause.causedBy()) {
        why.append("; ").append(cause.reason()); // the innermost cause names the field at fault
      }
      throw new io.vigil.common.error.DependencyUnavailableException("elasticsearch", "index template " + name
          + " refused: " + why, e);
    }
  }
}
