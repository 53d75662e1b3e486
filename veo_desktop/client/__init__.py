"""Google's video APIs behind one provider interface (`base.VeoProvider`).

make_http_client()                      the app's one httpx.AsyncClient (client.http)
make_provider(name, http, ...)          a provider by name (client.factory):
    "vertex"          Vertex AI express mode, API key (vertex.py)
    "vertex-project"  Vertex AI with a project, OAuth2 via google-auth (vertex_project.py, oauth.py)
    "gemini"          Gemini Omni Flash over the Interactions API, AI Studio key (omni*.py)
    "gemini-veo"      the retired Gemini-API Veo dialect, old jobs only (gemini_veo.py)
build_provider(settings, http, ...)     the provider the user's settings name (client.from_settings)
"""
