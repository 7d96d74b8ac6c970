package io.vigil.cmdb.knowledge;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallzhv15q.BgeSmallZhV15QuantizedEmbeddingModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BAAI's bge-small-zh-v1.5, quantized, run in this JVM by ONNX Runtime (langchain4j's packaging,
 * from Maven Central): 512 dimensions, Chinese and English, no network. The model (24 MB) is loaded
 * once per JVM, on first use, however many contexts ask for it. Queries are embedded as they are:
 * BGE's retrieval instruction for short queries changed no ranking on the test corpus.
 */
public final class BgeSmallZhEmbedder implements Embedder {

  private static final Logger log = LoggerFactory.getLogger(BgeSmallZhEmbedder.class);
  public static final int DIMENSIONS = 512;
  /** Texts per call into the model: bounds the memory of one call. */
  private static final int CHUNK = 32;

  private static final class Holder {
    static final EmbeddingModel MODEL = load();

    private static EmbeddingModel load() {
      long t0 = System.nanoTime();
      EmbeddingModel m = new BgeSmallZhV15QuantizedEmbeddingModel();
      log.info("embedding model bge-small-zh-v1.5 (quantized) loaded in {} ms, {} dimensions",
          (System.nanoTime() - t0) / 1_000_000, m.dimension());
      return m;
    }
  }

  private final Timer timer;

  public BgeSmallZhEmbedder(MeterRegistry registry) {
    this.timer = Timer.builder("vigil.cmdb.embedding.duration")
        .description("time to embed one call's texts in the JVM (batches of up to 32)")
        .publishPercentileHistogram().register(registry);
  }

  @Override
  public int dimensions() {
    return DIMENSIONS;
  }

  @Override
  public String model() {
    return "bge-small-zh-v1.5-q";
  }

  /** Loads the model now (at start, so the first search does not wait for it). */
  public void warm() {
    Holder.MODEL.dimension();
  }

  @Override
  public List<float[]> embedAll(List<String> texts) {
    List<float[]> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i += CHUNK) {
      List<TextSegment> segments = texts.subList(i, Math.min(texts.size(), i + CHUNK)).stream()
          .map(TextSegment::from).toList();
      long t0 = System.nanoTime();
      List<Embedding> embedded = Holder.MODEL.embedAll(segments).content();
      timer.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
      for (Embedding e : embedded) {
        out.add(e.vector());
      }
    }
    return out;
  }
}
