"""The Veo REST client: one provider interface, two dialects (Vertex AI express, Gemini API).

make_http_client()                 the app's one httpx.AsyncClient (client.http)
make_provider(name, http, ...)     a VeoProvider: "vertex" or "gemini" (client.factory)
"""
