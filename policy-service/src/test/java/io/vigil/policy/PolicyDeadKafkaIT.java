package io.vigil.policy;

import io.vigil.common.testing.DeadDependencySupport;

class PolicyDeadKafkaIT extends DeadDependencySupport {}
