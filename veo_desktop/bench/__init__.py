"""Benchmarks and fault campaigns that print figures (`python -m veo_desktop.bench --help`)."""
