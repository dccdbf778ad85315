"""Screening's adapters: its table beside the event store, and how other services' events
fold into it."""
