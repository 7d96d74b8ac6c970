package io.vigil.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceparentTest {

  @Test
  void parsesAValidHeaderAndKeepsTheTraceInChildren() {
    Traceparent tp = Traceparent.parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(tp).isNotNull();
    assertThat(tp.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    Traceparent child = tp.child();
    assertThat(child.traceId()).isEqualTo(tp.traceId());
    assertThat(child.spanId()).hasSize(16).isNotEqualTo(tp.spanId());
    assertThat(Traceparent.parse(child.value())).isEqualTo(child);
  }

  @Test
  void rejectsMalformedAndAllZeroIds() {
    assertThat(Traceparent.parse(null)).isNull();
    assertThat(Traceparent.parse("garbage")).isNull();
    assertThat(Traceparent.parse("00-00000000000000000000000000000000-b7ad6b7169203331-01")).isNull();
    assertThat(Traceparent.parse("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")).isNull();
    assertThat(Traceparent.parse("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01")).isNull();
  }

  @Test
  void newRootsAreWellFormedAndDistinct() {
    Traceparent a = Traceparent.newRoot();
    Traceparent b = Traceparent.newRoot();
    assertThat(Traceparent.parse(a.value())).isEqualTo(a);
    assertThat(a.traceId()).isNotEqualTo(b.traceId());
  }
}
