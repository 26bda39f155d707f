// Package notify turns incident changes into notifications: Config and its
// routes decide who hears of a change, Notifier.Plan (the store's planner)
// writes one outbox message per receiver in the change's own transaction,
// Notifier.EnqueueRepeats adds reminders, and Notifier.Deliver, run by the
// delivery worker, renders the stored Document for the receiver's channel
// (webhook, Slack, PagerDuty, Alertmanager) and sends it. The component's
// README.md is the user-facing reference.
package notify
