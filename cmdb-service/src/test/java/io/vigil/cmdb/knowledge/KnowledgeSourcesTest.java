package io.vigil.cmdb.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.CmdbChange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KnowledgeSourcesTest {

  @Test
  void aNamespaceGivesItselfAndOneDocumentPerMetricAtItsVersion() {
    NamespaceConfig ns = new NamespaceConfig("qce/cvm", "Cloud virtual machines", null, List.of("instance"), null,
        List.of(new NamespaceConfig.Metric("cpu_usage", "percent", "CPU busy time"),
            new NamespaceConfig.Metric("mem_usage", null, null)), null, null, null, null, null, null, null)
        .withDefaults();
    List<KnowledgeDoc> docs = KnowledgeSources.namespace(ns, 7, "ap-guangzhou");
    assertThat(docs).extracting(KnowledgeDoc::id).containsExactly("qce/cvm", "qce/cvm:cpu_usage", "qce/cvm:mem_usage");
    assertThat(docs).allSatisfy(d -> {
      assertThat(d.version()).isEqualTo(7);
      assertThat(d.region()).isEqualTo("ap-guangzhou");
      assertThat(d.tenant()).isNull();
      assertThat(d.deleted()).isFalse();
    });
    KnowledgeDoc cpu = docs.get(1);
    assertThat(cpu.title()).isEqualTo("cpu_usage: CPU busy time");
    assertThat(cpu.text()).as("what is embedded: the title, identifiers as words").isEqualTo("cpu usage: CPU busy time");
    assertThat(cpu.body()).contains("unit percent").contains("Cloud virtual machines");
    assertThat(cpu.identifiers()).containsExactly("cpu_usage", "qce/cvm:cpu_usage");
    assertThat(docs.get(2).title()).isEqualTo("mem_usage");
    assertThat(docs.get(0).body()).contains("cpu_usage, mem_usage").contains("instance");
  }

  @Test
  void aPolicySaysWhatItWatchesAndIsItsTenants() {
    AlertPolicy p = ControlJson.read("""
        {"name": "db lag", "namespace": "qce/cdb", "conditions": [{"metric": "replication_lag", "period": 60,
         "statistic": "MAX", "operator": "GT", "threshold": 30}], "severity": "CRITICAL",
         "labels": {"team": "dba"}, "annotations": {"summary": "replica behind"}}""", AlertPolicy.class);
    KnowledgeDoc d = KnowledgeSources.policy("pol_1", "t1", p, 3, "local");
    assertThat(d.kind()).isEqualTo(KnowledgeDoc.Kind.POLICY);
    assertThat(d.tenant()).isEqualTo("t1");
    assertThat(d.title()).isEqualTo("db lag");
    assertThat(d.body()).contains("when replication_lag max gt 30.0 over 60 s").contains("severity critical")
        .contains("replica behind").contains("team: dba");
    assertThat(d.identifiers()).containsExactly("pol_1", "db lag", "replication_lag", "qce/cdb:replication_lag");
  }

  @Test
  void anInstanceComesFromItsChangeAndADeleteIsItsTombstone() {
    CmdbChange up = new CmdbChange(1, "qce/cvm/gz/ins-1", "qce/cvm", "gz", 9, ChangeOp.UPSERT,
        Map.of("name", "web-1", "private_ip", "10.0.0.1"), "product:qce", 1_700_000_000_000L, "ins-1",
        Map.of("team", "web"), "t1");
    KnowledgeDoc d = KnowledgeSources.instance(up);
    assertThat(d.id()).isEqualTo("qce/cvm/gz/ins-1");
    assertThat(d.title()).isEqualTo("ins-1 web-1");
    assertThat(d.body()).contains("private_ip: 10.0.0.1").contains("tag team: web");
    assertThat(d.identifiers()).containsExactly("ins-1", "qce/cvm/gz/ins-1", "web-1");
    assertThat(d.tenant()).isEqualTo("t1");
    assertThat(d.version()).isEqualTo(9);
    CmdbChange del = new CmdbChange(1, "qce/cvm/gz/ins-1", "qce/cvm", "gz", 10, ChangeOp.DELETE, null,
        "product:qce", 1_700_000_000_000L, "ins-1", null, "t1");
    KnowledgeDoc gone = KnowledgeSources.instance(del);
    assertThat(gone.deleted()).isTrue();
    assertThat(gone.version()).isEqualTo(10);
    assertThat(gone.body()).isEmpty();
  }
}
