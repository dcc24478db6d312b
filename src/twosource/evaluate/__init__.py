"""Benchmarks behind ``twosource eval``."""
