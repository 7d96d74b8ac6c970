package io.vigil.notifier;

import io.vigil.common.testing.DeadDependencySupport;

class NotifierDeadKafkaIT extends DeadDependencySupport {}
