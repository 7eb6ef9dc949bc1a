"""Reminders before sessions, and the trainers' calendar feed."""
