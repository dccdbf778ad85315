"""Screening's adapters: storage only, its `screenings` table (rows <-> `domain.tracked`)."""
