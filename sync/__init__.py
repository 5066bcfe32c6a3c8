"""The sync engine: delivers outbox events to back-office systems at least once, keyed so
each target applies them exactly once. Never imports Qt, the UI or the persistence layer:
it reaches the store only through ``sync.ports.SyncStore``, wired in by the application."""
