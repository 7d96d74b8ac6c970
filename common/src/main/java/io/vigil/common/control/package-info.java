/**
 * The control-plane objects as the control schema stores them (each row's {@code body}) and as the
 * policy API accepts them: one definition for the writer (policy-service) and every reader (gateway,
 * detector, notifier), with the structural checks all of them apply. Checks that need other objects
 * (a namespace's dimensions, a receiver that must exist) take a {@link ControlLookup}.
 */
package io.vigil.common.control;
