"""Veo Desktop: queue, run and play Google Veo video generations.

The package is layered; imports point downwards only:

    core/       pure domain: requests, validation, job states, cost, scheduling (no Qt, sqlite3, httpx)
    store/      durable state in SQLite: jobs, credit ledger, events, queue state, frames
    client/     the Veo REST client (Vertex AI express and Gemini API providers), httpx
    simulator/  a loopback HTTP server that speaks both Veo dialects, for demos and tests
    engine/     the asyncio dispatcher and the Engine facade the CLI and the GUI share
    cli/        `veo-desktop-cli`
    ui/         the PySide6 window (a view over the Engine)
    app.py      the GUI composition root; `composition.py` builds the engine for both front ends
"""

__version__ = "0.1.0"
