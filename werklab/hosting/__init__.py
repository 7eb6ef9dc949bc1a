"""Hosts take turns: participants offer to host a meeting, trainers accept one per session."""
