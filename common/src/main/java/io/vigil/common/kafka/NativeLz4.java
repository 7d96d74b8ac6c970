package io.vigil.common.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.context.ApplicationListener;

/**
 * Makes Kafka's lz4 codec use lz4-java's JNI implementation inside a Spring Boot jar.
 *
 * <p>Kafka asks lz4-java for its fastest implementation ({@code LZ4Factory.fastestInstance()}), and
 * lz4-java answers with the native one only when its library is already loaded or lz4-java itself
 * was loaded by the system class loader. In a Boot jar neither holds, so every producer compressed
 * and every consumer decompressed with the pure-Java "safe" implementation: a quarter of the
 * aggregator's minute-end burst of rollups (JFR of the live benchmark). Asking for the native
 * instance once, as the application starts and before any client exists, loads the library; from
 * then on the fastest instance is the JNI one (and Kafka's decompressor, fixed when its class is
 * first used, is too). Where the library cannot load (a platform lz4-java has no build for), the
 * clients keep the Java implementation, and the gauge {@code vigil_kafka_lz4_native} says 0.
 *
 * <p>Reflection keeps lz4-java where kafka-clients puts it (its runtime dependency, one version).
 * Registered in {@code META-INF/spring.factories} as a listener for the starting event.
 */
public final class NativeLz4 implements ApplicationListener<ApplicationStartingEvent> {

  private static final Logger log = LoggerFactory.getLogger(NativeLz4.class);
  private static Boolean loaded;

  @Override
  public void onApplicationEvent(ApplicationStartingEvent event) {
    load();
  }

  /** Loads the native library once; whether Kafka's lz4 now runs natively. */
  public static synchronized boolean load() {
    if (loaded == null) {
      loaded = tryLoad();
    }
    return loaded;
  }

  private static boolean tryLoad() {
    try {
      Class<?> factory = Class.forName("net.jpountz.lz4.LZ4Factory", true, NativeLz4.class.getClassLoader());
      factory.getMethod("nativeInstance").invoke(null);
      String fastest = String.valueOf(factory.getMethod("fastestInstance").invoke(null));
      boolean jni = fastest.contains("JNI");
      if (!jni) {
        log.warn("lz4: the native library loaded, but the fastest implementation is {}", fastest);
      }
      return jni;
    } catch (ReflectiveOperationException | LinkageError e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      log.warn("lz4: no native implementation here ({}); Kafka compresses with the Java one", cause.toString());
      return false;
    }
  }
}
