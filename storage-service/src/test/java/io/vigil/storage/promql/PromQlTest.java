package io.vigil.storage.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void numbersAndArithmetic() {
    assertThat(PromQl.parse("1+1")).isEqualTo(new PromQl.Binary('+', new PromQl.Number(1), new PromQl.Number(1)));
    PromQl.Expr e = PromQl.parse("2 * (3 - 1) / 4");
    assertThat(e).isInstanceOf(PromQl.Binary.class);
    assertThat(((PromQl.Binary) e).op()).isEqualTo('/');
    assertThat(PromQl.parse("-1.5e3")).isEqualTo(new PromQl.Number(-1500));
  }

  @Test
  void selectorsWithMatchersAndOffset() {
    PromQl.Selector s = (PromQl.Selector) PromQl.parse(
        "cpu_usage:max_300s{namespace=\"qce/cvm\", host=~\"web-.*\", zone!='a', env!~`dev|test`} offset 1h30m");
    assertThat(s.name()).isEqualTo("cpu_usage:max_300s");
    assertThat(s.matchers()).extracting(PromQl.Matcher::label).containsExactly("namespace", "host", "zone", "env");
    assertThat(s.matchers()).extracting(PromQl.Matcher::op).containsExactly("=", "=~", "!=", "!~");
    assertThat(s.offset()).isEqualTo(Duration.ofMinutes(90));
    assertThat(s.matchers().get(1).test("web-1")).isTrue();
    assertThat(s.matchers().get(1).test("xweb-1")).as("anchored").isFalse();
    assertThat(s.matchers().get(3).test(null)).as("absent is empty").isTrue();
    PromQl.Selector byName = (PromQl.Selector) PromQl.parse("{__name__=\"cpu\",namespace=\"n\"}");
    assertThat(byName.name()).isNull();
  }

  @Test
  void aggregationsByAndWithoutBeforeOrAfter() {
    PromQl.Aggregate a = (PromQl.Aggregate) PromQl.parse("sum by (host, zone) (cpu{namespace=\"n\"})");
    assertThat(a.op()).isEqualTo("sum");
    assertThat(a.without()).isFalse();
    assertThat(a.labels()).containsExactly("host", "zone");
    PromQl.Aggregate b = (PromQl.Aggregate) PromQl.parse("max(cpu{namespace=\"n\"}) without (host)");
    assertThat(b.without()).isTrue();
    assertThat(b.labels()).containsExactly("host");
    assertThat(PromQl.parse("count(avg by (a) (x{namespace=\"n\"}))")).isInstanceOf(PromQl.Aggregate.class);
  }

  @Test
  void whatIsNotSupportedIsNamed() {
    assertThatThrownBy(() -> PromQl.parse("rate(cpu{namespace=\"n\"}[5m])")).hasMessageContaining("rate()");
    assertThatThrownBy(() -> PromQl.parse("cpu{namespace=\"n\"}[5m]")).hasMessageContaining("range selectors");
    assertThatThrownBy(() -> PromQl.parse("topk(3, cpu)")).hasMessageContaining("topk");
    assertThatThrownBy(() -> PromQl.parse("cpu + cpu")).hasMessageContaining("binary operator");
    assertThatThrownBy(() -> PromQl.parse("cpu @ 1609746000")).hasMessageContaining("@");
    assertThatThrownBy(() -> PromQl.parse("cpu{host=~\"(\"}")).hasMessageContaining("bad regex");
    assertThatThrownBy(() -> PromQl.parse("cpu{host=\"a\"")).hasMessageContaining("parse error");
    assertThatThrownBy(() -> PromQl.parse("")).hasMessageContaining("required");
    assertThatThrownBy(() -> PromQl.parse("{host=\"a\"}")).hasMessageContaining("metric name");
  }

  @Test
  void timesAndSteps() {
    assertThat(PromController.time("t", "1765324800.5", null)).isEqualTo(1_765_324_800_500L);
    assertThat(PromController.time("t", "2025-12-10T00:00:00Z", null)).isEqualTo(1_765_324_800_000L);
    assertThat(PromController.step("60.5")).isEqualTo(60_500);
    assertThat(PromController.step("5m")).isEqualTo(300_000);
    assertThatThrownBy(() -> PromController.step("0")).isInstanceOf(PromQlException.class);
    assertThatThrownBy(() -> PromController.time("start", "yesterday", null)).hasMessageContaining("start");
  }
}
