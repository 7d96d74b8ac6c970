package io.vigil.gateway;

import io.vigil.common.testing.DeadDependencySupport;

class GatewayDeadKafkaIT extends DeadDependencySupport {}
