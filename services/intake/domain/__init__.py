"""Intake's domain: entries and their rules, free of infrastructure."""
