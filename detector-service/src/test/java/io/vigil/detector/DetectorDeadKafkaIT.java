package io.vigil.detector;

import io.vigil.common.testing.DeadDependencySupport;

class DetectorDeadKafkaIT extends DeadDependencySupport {}
