"""The Veo REST client: one provider interface, two dialects (Vertex AI express, Gemini API)."""
