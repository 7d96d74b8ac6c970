package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

class NativeLz4Test {

  /**
   * The premise: lz4-java loaded by a class loader other than the system one (as in a Boot jar) hands
   * out its Java implementation until its native library is loaded, and the JNI one after.
   */
  @Test
  void outsideTheSystemClassLoaderTheFastestLz4IsJavaUntilTheNativeLibraryIsLoaded() throws Exception {
    URL jar = LZ4Factory.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader child = new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader())) {
      Class<?> factory = Class.forName("net.jpountz.lz4.LZ4Factory", true, child);
      assertThat(factory).isNotSameAs(LZ4Factory.class);
      assertThat(String.valueOf(factory.getMethod("fastestInstance").invoke(null))).doesNotContain("JNI");
      factory.getMethod("nativeInstance").invoke(null);
      assertThat(String.valueOf(factory.getMethod("fastestInstance").invoke(null))).contains("JNI");
    }
  }

  @Test
  void loadMakesKafkasLz4Native() {
    assertThat(NativeLz4.load()).isTrue();
    assertThat(LZ4Factory.fastestInstance().toString()).contains("JNI");
  }
}
