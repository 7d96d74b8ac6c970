package io.vigil.common.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerSourceTest {

  @Test
  void theMachinesServersUnlessContainersAreAskedFor() {
    assertThat(ServerSource.choose(null, false)).isEqualTo(ServerSource.LOCAL);
    assertThat(ServerSource.choose("", true)).isEqualTo(ServerSource.LOCAL);
    assertThat(ServerSource.choose(" Local ", true)).isEqualTo(ServerSource.LOCAL);
    assertThat(ServerSource.choose("containers", true)).isEqualTo(ServerSource.CONTAINERS);
    assertThat(ServerSource.choose("TESTCONTAINERS", true)).isEqualTo(ServerSource.CONTAINERS);
  }

  @Test
  void containersWithoutTheProfileAreRefusedNamingIt() {
    assertThatThrownBy(() -> ServerSource.choose("containers", false)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("-Ptestcontainers");
  }

  @Test
  void anUnknownChoiceIsRefusedNamingTheValidOnes() {
    assertThatThrownBy(() -> ServerSource.choose("docker", true)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'local'").hasMessageContaining("'containers'");
  }

  @Test
  void aDefaultBuildRunsOnTheMachinesServers() {
    // this build (no profile) has no container support compiled in and asks for nothing
    if (System.getProperty(ServerSource.PROPERTY, "").isBlank() && System.getenv("VIGIL_TEST_SERVERS") == null) {
      assertThat(ServerSource.ofThisRun()).isEqualTo(ServerSource.LOCAL);
      assertThat(TestServers.describe()).startsWith("local");
    }
  }
}
