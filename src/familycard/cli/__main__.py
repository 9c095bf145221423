"""`python -m familycard.cli ...`: the same command as `familycard ...` (the tests run it so)."""
import sys

from familycard.cli import main

sys.exit(main())
