/**
 * The dispatch stage's back end: channel senders (SMS, email, phone, webhook, chat bot) behind one
 * {@link io.vigil.notifier.channel.Dispatcher}.
 *
 * <p>The pipeline builds an {@link io.vigil.notifier.channel.Outbound} (the rendered message and its
 * {@link io.vigil.notifier.channel.Destination}) and calls {@code Dispatcher.deliver}, which never
 * throws and answers a {@link io.vigil.notifier.channel.Delivery} to record. Retries, circuit breakers,
 * bulkheads and metrics are the {@link io.vigil.notifier.channel.ChannelDispatcher}'s; each sender in
 * the sub-packages makes one attempt and says, through a {@link io.vigil.notifier.channel.SendException},
 * whether another can help. {@link io.vigil.notifier.channel.ChannelConfig} wires them from
 * {@link io.vigil.notifier.channel.ChannelProperties} ({@code vigil.notifier.channels.*}).
 */
package io.vigil.notifier.channel;
