"""Run the Veo simulator: python -m veo_desktop.simulator --port 8765 --speed 50."""

import sys

from veo_desktop.simulator.cli import main

sys.exit(main())
