"""Media's adapters: MinIO, the verification job, its tables."""
