"""Code every Kechuang service uses: config, the event envelope, the event store with its
outbox relay, the idempotent consumer with catch-up, and nameko wiring. Services share code,
never data."""
