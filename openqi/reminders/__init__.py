"""Reminders: e-mail digests of what needs each person, by their own choice
(daily, weekly or none), sent by ``openqi send-reminders``."""
