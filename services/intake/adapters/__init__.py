"""Intake's adapters: its tables beside the event store."""
