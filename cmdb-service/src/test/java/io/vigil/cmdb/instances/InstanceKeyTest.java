package io.vigil.cmdb.instances;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.error.Violations;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hand-written id check agrees with the documented pattern; a remembered part is not checked again. */
class InstanceKeyTest {

  @Test
  void theHandCheckAgreesWithThePatternOnRandomIds() {
    String alphabet = "aAzZ09_.:@-/ é\t[`{@:;?^~";
    Random random = new Random(7);
    for (int n = 0; n < 200_000; n++) {
      int len = random.nextInt(132);
      StringBuilder id = new StringBuilder(len);
      for (int i = 0; i < len; i++) {
        id.append(random.nextInt(4) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
            : (char) ('a' + random.nextInt(26)));
      }
      String s = id.toString();
      assertThat(InstanceKey.validId(s)).as(s).isEqualTo(InstanceKey.INSTANCE_ID.matcher(s).matches());
    }
    assertThat(InstanceKey.validId(null)).isFalse();
    assertThat(InstanceKey.validId("ins-1")).isTrue();
    assertThat(InstanceKey.validId("-ins")).isFalse();
  }

  @Test
  void goodPartsAreRememberedAndBadOnesNamedEveryTime() {
    Set<String> namespaces = new HashSet<>();
    Set<String> regions = new HashSet<>();
    Violations v = new Violations();
    InstanceKey.check(v, "keys[0].", "acme/vm", "ap-guangzhou", "ins-1", namespaces, regions);
    assertThat(v.isEmpty()).isTrue();
    assertThat(namespaces).containsExactly("acme/vm");
    assertThat(regions).containsExactly("ap-guangzhou");
    InstanceKey.check(v, "keys[1].", "Acme/VM", "ap-guangzhou", "ins 2", namespaces, regions);
    InstanceKey.check(v, "keys[2].", "Acme/VM", "AP", "ins-3", namespaces, regions);
    // a good region is no good namespace, nor the other way round
    InstanceKey.check(v, "keys[3].", "ap-guangzhou", "acme/vm", "ins-4", namespaces, regions);
    assertThat(v.list()).extracting(violation -> violation.field())
        .containsExactly("keys[1].namespace", "keys[1].instanceId", "keys[2].namespace", "keys[2].region",
            "keys[3].namespace", "keys[3].region");
  }
}
