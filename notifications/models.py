"""Notifications (weekly digests, reminders, escalation notices) arrive with their own issue."""
