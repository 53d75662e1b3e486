"""The command-line front end (`veo-desktop-cli`)."""
