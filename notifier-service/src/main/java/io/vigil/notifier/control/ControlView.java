package io.vigil.notifier.control;

import io.vigil.common.control.ChatBot;
import io.vigil.common.control.MessageTemplate;
import io.vigil.common.control.User;
import io.vigil.common.control.UserGroup;
import io.vigil.common.control.Webhook;
import io.vigil.notifier.control.ControlCopy.LivePolicy;
import io.vigil.notifier.control.ControlCopy.LiveRule;
import io.vigil.notifier.control.ControlCopy.LiveSchedule;
import io.vigil.notifier.control.ControlCopy.LiveSilence;
import java.util.List;

/**
 * What the stages read of the control plane, by tenant: an object of another tenant is absent. {@link
 * ControlCopy} is the service's; stage tests use a table of their own.
 */
public interface ControlView {

  List<LiveSilence> silences(String tenant);

  List<LiveRule> inhibitionRules(String tenant);

  User user(String tenant, String id);

  UserGroup group(String tenant, String id);

  LiveSchedule schedule(String tenant, String id);

  Webhook webhook(String tenant, String id);

  ChatBot bot(String tenant, String id);

  MessageTemplate template(String tenant, String id);

  /** A policy by id, whatever its tenant (the caller checks); null when it is gone. */
  LivePolicy policy(String id);
}
