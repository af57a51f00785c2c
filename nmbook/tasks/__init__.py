"""Task generators: seeded synthetic data sets for the book's experiments (one task
family per module)."""
