"""`python -m veo_desktop`, and the PyInstaller bundle's entry point: the GUI app (veo_desktop.app.main)."""

import sys

from veo_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
