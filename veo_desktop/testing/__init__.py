"""The test kit that ships with the product (like httpx's `MockTransport` or huey's `MemoryHuey`): fakes at
the boundaries, type-checked against the real protocols and built from the real pure functions, so the
fault campaigns and the benchmarks run from an installed wheel as well as from the test suite."""
