"""Test configuration shared by every layer."""

import os

from hypothesis import settings

# In CI the property tests replay a fixed set of examples, so a run's verdict does not depend on
# luck; locally they explore new examples each run (and remember failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
