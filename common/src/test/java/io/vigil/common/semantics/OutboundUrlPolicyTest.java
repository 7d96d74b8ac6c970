package io.vigil.common.semantics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.error.ApiException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Which URLs Vigil may call for an operator: checked after resolution, internal ranges refused. */
class OutboundUrlPolicyTest {

  /** A table resolver: names to addresses as a DNS answer would give them; literals parse. */
  private static final Map<String, String[]> DNS = Map.of(
      "hooks.example.com", new String[] {"93.184.216.34"},
      "rebind.example.com", new String[] {"93.184.216.34", "10.0.0.7"},
      "sink.local.test", new String[] {"127.0.0.1"});

  private static InetAddress[] resolve(String host) throws UnknownHostException {
    String[] answer = DNS.get(host);
    if (answer == null) {
      return new InetAddress[] {InetAddress.getByName(host)}; // a literal address
    }
    InetAddress[] out = new InetAddress[answer.length];
    for (int i = 0; i < answer.length; i++) {
      out[i] = InetAddress.getByName(answer[i]);
    }
    return out;
  }

  private final OutboundUrlPolicy strict = new OutboundUrlPolicy(false, List.of(), OutboundUrlPolicyTest::resolve);

  @Test
  void aPublicHttpsUrlPassesWithTheAddressesToConnectTo() {
    var target = strict.check("url", "https://hooks.example.com/vigil?x=1");
    assertThat(target.addresses()).extracting(InetAddress::getHostAddress).containsExactly("93.184.216.34");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://127.0.0.1/x", "https://[::1]/x", "https://169.254.169.254/latest/meta-data", "https://10.1.2.3/",
      "https://172.16.0.1/", "https://192.168.1.1/", "https://100.64.0.1/", "https://0.0.0.0/", "https://224.0.0.1/",
      "https://[fd00::1]/", "https://[fe80::1]/", "https://[::ffff:127.0.0.1]/", "https://metadata.google.internal/",
      "https://rebind.example.com/", "https://sink.local.test/", "http://hooks.example.com/", "ftp://hooks.example.com/",
      "https://user:pw@hooks.example.com/", "https:///nohost", "not a url"})
  void internalOrUnsafeTargetsAreRefusedNamingTheField(String url) {
    assertThatThrownBy(() -> strict.check("receivers[0].url", url)).isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).field()).isEqualTo("receivers[0].url"));
  }

  @Test
  void anExplicitlyAllowedRangePassesAndHttpOnlyWhenAllowed() {
    var local = new OutboundUrlPolicy(true, List.of("127.0.0.1/32"), OutboundUrlPolicyTest::resolve);
    assertThat(local.check("url", "http://sink.local.test:8099/hook").addresses()).hasSize(1);
    assertThatThrownBy(() -> local.check("url", "http://127.0.0.2/")).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> local.check("url", "http://10.0.0.1/")).isInstanceOf(ApiException.class);
  }

  @Test
  void theRealResolverRefusesLocalhost() {
    assertThatThrownBy(() -> OutboundUrlPolicy.strict().check("url", "https://localhost/")).isInstanceOf(ApiException.class)
        .hasMessageContaining("loopback");
  }
}
