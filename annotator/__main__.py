"""`python -m annotator` runs the same command as the `annotator` script."""

import sys

from annotator.cli import main

sys.exit(main())
