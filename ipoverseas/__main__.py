"""`python -m ipoverseas ...`: the command line, a thin layer over the services."""

import sys

from ipoverseas.cli import main

sys.exit(main())
