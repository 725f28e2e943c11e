"""Makes the product that `rxnyield.report.catalog.PRODUCTS` lists under this script's name."""

import paths
from rxnyield.report.catalog import run_script

run_script(__file__, paths.aggregate, paths.root)
