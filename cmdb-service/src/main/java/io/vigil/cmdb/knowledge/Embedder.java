package io.vigil.cmdb.knowledge;

import java.util.List;

/**
 * Turns text into a vector for the knowledge index and its queries. One implementation runs a small
 * model inside the JVM ({@link BgeSmallZhEmbedder}); another could call a model server. A provider
 * that cannot embed (not loaded, failing) says so by throwing: search then falls back to keywords.
 */
public interface Embedder {

  /** The length of every vector, as the index's {@code dense_vector} field declares it. */
  int dimensions();

  /** The model's name, for logs and the answer. */
  String model();

  /** The vectors of the texts, in order. */
  List<float[]> embedAll(List<String> texts);

  default float[] embed(String text) {
    return embedAll(List.of(text)).get(0);
  }


  /** The provider that embeds nothing: every search is by keyword. */
  Embedder NONE = new Embedder() {
    @Override
    public int dimensions() {
      return BgeSmallZhEmbedder.DIMENSIONS;
    }

    @Override
    public String model() {
      return "none";
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
      throw new UnsupportedOperationException("no embedding model is configured");
    }
  };
}
