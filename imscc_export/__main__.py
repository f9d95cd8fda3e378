"""``python -m imscc_export``: the same as the ``imscc-export`` command."""

import sys

from imscc_export.cli import main

sys.exit(main())
