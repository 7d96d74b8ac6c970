package io.vigil.cmdb;

import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.control.NamespaceConfig.Metric;
import java.util.ArrayList;
import java.util.List;

/**
 * A generated corpus of metric definitions as products declare them: eight English namespaces and
 * six Chinese ones, each with the metrics every service has (CPU, memory, traffic, errors, ...)
 * described in its own words, plus a few metrics only one product has: 224 metrics in all.
 */
final class KnowledgeCorpus {

  private KnowledgeCorpus() {}

  /** Metrics only one namespace declares: what the paraphrased queries look for. */
  static final List<String[]> UNIQUE_EN = List.of(
      new String[] {"kc/cbs", "disk_read_latency", "ms", "Average time to complete a read request on the block storage volume, in milliseconds"},
      new String[] {"kc/cdb", "replication_lag", "s", "Seconds the replica is behind its primary database"},
      new String[] {"kc/redis", "evicted_keys", "count", "Keys removed from the cache because memory ran out"},
      new String[] {"kc/clb", "unhealthy_backends", "count", "Number of backend servers failing the health check"},
      new String[] {"kc/ckafka", "consumer_group_lag", "messages", "Messages produced but not yet consumed by the group"},
      new String[] {"kc/cos", "bucket_storage_bytes", "bytes", "Bytes stored in the bucket, all storage classes together"},
      new String[] {"kc/tke", "pod_restarts", "count", "Times the containers of a pod were restarted"},
      new String[] {"kc/cvm", "rootfs_used_percent", "percent", "Percentage of the root file system in use"});

  static final List<String[]> UNIQUE_ZH = List.of(
      new String[] {"kz/cbs", "disk_read_latency", "ms", "云硬盘读请求的平均完成时间，单位毫秒"},
      new String[] {"kz/cdb", "replication_lag", "s", "从库落后主库的秒数"},
      new String[] {"kz/redis", "evicted_keys", "count", "内存不足时被淘汰的键数量"},
      new String[] {"kz/clb", "unhealthy_backends", "count", "健康检查失败的后端服务器数量"},
      new String[] {"kz/ckafka", "consumer_group_lag", "messages", "消费组尚未消费的消息堆积量"},
      new String[] {"kz/tke", "pod_restarts", "count", "容器组中容器重启的次数"});

  private static final String[][] COMMON_EN = {
    {"cpu_usage", "percent", "Share of processor time the %s spent busy, in percent"},
    {"mem_usage", "percent", "Memory of the %s in use, as a percentage of what it has"},
    {"net_in_bytes", "bytes/s", "Bytes per second received by the %s from the network"},
    {"net_out_bytes", "bytes/s", "Bytes per second sent by the %s to the network"},
    {"requests", "count/s", "Requests per second handled by the %s"},
    {"errors_5xx", "count/s", "Server errors per second returned by the %s"},
    {"latency_p99", "ms", "99th percentile of the time the %s takes to answer a request"},
    {"connections", "count", "Open client connections to the %s"},
    {"packets_dropped", "count/s", "Network packets per second the %s discarded"},
    {"uptime", "s", "Seconds since the %s last started"},
    {"throttled", "count/s", "Operations per second of the %s held back by its quota"},
    {"health", "bool", "1 when the %s passes its own health check, 0 otherwise"},
    {"billing_units", "count", "Billable units the %s used in the period"},
    {"alarms_open", "count", "Alarms currently open for the %s"},
    {"config_changes", "count", "Configuration changes applied to the %s"}};

  private static final String[][] COMMON_ZH = {
    {"cpu_usage", "percent", "%s的CPU使用率（百分比）"},
    {"mem_usage", "percent", "%s的内存使用率（百分比）"},
    {"net_in_bytes", "bytes/s", "%s每秒从网络接收的字节数"},
    {"net_out_bytes", "bytes/s", "%s每秒向网络发送的字节数"},
    {"requests", "count/s", "%s每秒处理的请求数"},
    {"errors_5xx", "count/s", "%s每秒返回的服务端错误数"},
    {"latency_p99", "ms", "%s响应请求耗时的第99百分位"},
    {"connections", "count", "%s当前的客户端连接数"},
    {"packets_dropped", "count/s", "%s每秒丢弃的网络包数"},
    {"uptime", "s", "%s自上次启动以来的秒数"},
    {"throttled", "count/s", "%s每秒因配额被限流的操作数"},
    {"health", "bool", "%s健康检查通过时为1，否则为0"},
    {"billing_units", "count", "%s本周期使用的计费单位数"},
    {"alarms_open", "count", "%s当前未恢复的告警数"},
    {"config_changes", "count", "%s已应用的配置变更次数"}};

  private static final String[][] PRODUCTS_EN = {
    {"kc/cvm", "virtual machine"}, {"kc/cbs", "block storage volume"}, {"kc/cdb", "MySQL database instance"},
    {"kc/redis", "Redis cache instance"}, {"kc/clb", "load balancer"}, {"kc/cos", "object storage bucket"},
    {"kc/ckafka", "Kafka cluster"}, {"kc/tke", "Kubernetes cluster"}};

  private static final String[][] PRODUCTS_ZH = {
    {"kz/cvm", "云服务器"}, {"kz/cbs", "云硬盘"}, {"kz/cdb", "云数据库MySQL实例"}, {"kz/redis", "Redis缓存实例"},
    {"kz/clb", "负载均衡"}, {"kz/ckafka", "消息队列Kafka集群"}};

  static List<NamespaceConfig> namespaces() {
    List<NamespaceConfig> out = new ArrayList<>();
    add(out, PRODUCTS_EN, COMMON_EN, UNIQUE_EN, "Metrics of the %s, reported every minute by the product.");
    add(out, PRODUCTS_ZH, COMMON_ZH, UNIQUE_ZH, "%s的监控指标，由产品每分钟上报。");
    return out;
  }

  private static void add(List<NamespaceConfig> out, String[][] products, String[][] common, List<String[]> unique,
      String nsDescription) {
    for (String[] p : products) {
      List<Metric> metrics = new ArrayList<>();
      for (String[] c : common) {
        metrics.add(new Metric(c[0], c[1], c[2].formatted(p[1])));
      }
      for (String[] u : unique) {
        if (u[0].equals(p[0])) {
          metrics.add(new Metric(u[1], u[2], u[3]));
        }
      }
      out.add(new NamespaceConfig(p[0], nsDescription.formatted(p[1]), null, List.of("instance"), null, metrics, null,
          null, null, null, null, null, null).withDefaults());
    }
  }

  static int metricCount() {
    return namespaces().stream().mapToInt(n -> n.metrics().size()).sum();
  }
}
