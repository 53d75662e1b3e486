import sys

from veo_desktop.cli.main import main

sys.exit(main())
