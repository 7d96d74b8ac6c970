package io.vigil.policy;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlReader;
import io.vigil.common.model.ControlChange.EntityType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A reader's full load of one shard in a JVM of its own (run under a small heap by {@link
 * PolicyStreamedLoadIT}): {@code stream} loads through common's {@link ControlReader}, {@code
 * buffered} runs the same query the way a naive reader would. Prints what it loaded and its peak
 * heap; a load that does not fit ends the JVM with an OutOfMemoryError.
 */
public final class StreamedLoadMain {

  public static void main(String[] args) {
    String url = args[0];
    String user = args[1];
    String password = args.length > 4 ? args[4] : "";
    String shard = args[2];
    String mode = args[3];
    DriverManagerDataSource ds = new DriverManagerDataSource(url, user, password);
    long started = System.nanoTime();
    long[] checksum = {0};
    long n;
    if (mode.equals("stream")) {
      n = new ControlReader(ds).forEach(EntityType.POLICY, shard, AlertPolicy.class,
          p -> checksum[0] += p.body().conditions().size());
    } else {
      n = new JdbcTemplate(ds).queryForList(ControlReader.loadQuery("ctl_policies", true), shard).size();
    }
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.out.printf("loaded %d policies (%d conditions) in %d ms, peak heap %d MB of %d MB%n", n, checksum[0],
        (System.nanoTime() - started) / 1_000_000, peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
  }
}
