"""The engine: the asyncio dispatcher and the Engine facade that the CLI and the GUI share."""
