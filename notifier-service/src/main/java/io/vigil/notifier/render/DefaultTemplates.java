package io.vigil.notifier.render;

import io.vigil.common.model.Channel;
import java.util.Map;

/**
 * The built-in templates, used for a channel a policy names no template for. Short for SMS and
 * phone (read aloud), a title and a markdown list for chat bots, a small HTML page for e-mail. The
 * webhook's built-in body is the alert model as JSON, built by the render stage.
 */
final class DefaultTemplates {

  record Source(String subject, String body) {}

  static final Map<Channel, Source> ALL = Map.of(
      Channel.SMS, new Source(null,
          "[Vigil {{severity}}] {{status}} {{policyName}}: {{summary}} ({{namespace}} {{region}})"
              + "{{#limitNote}} {{limitNote}}{{/limitNote}}{{#ackUrl}} Ack: {{ackUrl}}{{/ackUrl}}"),
      Channel.PHONE, new Source(null,
          "This is Vigil. A {{severity}} alert is {{status}}: {{policyName}}. {{summary}}."),
      Channel.EMAIL, new Source("[{{status}}] {{severity}} {{policyName}}",
          """
          <html><body>
          <h2>[{{status}}] {{policyName}}</h2>
          <p>{{summary}}</p>
          {{#limitNote}}<p><b>{{limitNote}}</b></p>{{/limitNote}}
          <table>
          <tr><td>Severity</td><td>{{severity}}</td></tr>
          <tr><td>Namespace</td><td>{{namespace}}</td></tr>
          <tr><td>Region</td><td>{{region}}</td></tr>
          <tr><td>Metric</td><td>{{metric}}</td></tr>
          <tr><td>Value</td><td>{{value}}</td></tr>
          <tr><td>Threshold</td><td>{{threshold}}</td></tr>
          <tr><td>Since</td><td>{{startsAt}}</td></tr>
          {{#sparkline}}<tr><td>Recent</td><td>{{sparkline}}</td></tr>{{/sparkline}}
          {{^grouped}}{{#dimensionList}}<tr><td>{{key}}</td><td>{{value}}</td></tr>
          {{/dimensionList}}{{/grouped}}</table>
          {{#grouped}}<ul>{{#alerts}}<li>{{status}} {{dimensionText}} {{value}}</li>{{/alerts}}</ul>
          <p>{{alertCount}} alerts in this message, {{moreAlerts}} not listed.</p>{{/grouped}}
          {{#runbookUrl}}<p><a href="{{runbookUrl}}">Runbook</a></p>{{/runbookUrl}}
          {{#ackUrl}}<p><a href="{{ackUrl}}">Acknowledge</a> (stops repeats and escalations)</p>{{/ackUrl}}
          {{#enrichmentDegraded}}<p><i>Instance data could not be fetched for this message.</i></p>{{/enrichmentDegraded}}
          <p><small>alert {{alertKey}}</small></p>
          </body></html>
          """),
      Channel.BOT, new Source("[{{status}}] {{policyName}}",
          """
          **[{{status}}] {{severity}} {{policyName}}**
          {{summary}}
          {{#limitNote}}**{{limitNote}}**
          {{/limitNote}}- namespace: {{namespace}} ({{region}})
          {{#dimensionList}}- {{key}}: {{value}}
          {{/dimensionList}}{{#runbookUrl}}[Runbook]({{runbookUrl}})
          {{/runbookUrl}}{{#ackUrl}}[Acknowledge]({{ackUrl}})
          {{/ackUrl}}"""),
      Channel.WEBHOOK, new Source(null, "{}"));

  private DefaultTemplates() {}
}
