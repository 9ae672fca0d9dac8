# The module under test is the one on PYTHONPATH (CTest points it at <build>/python); TTT_CLI names the
# `ttt` binary of the same build for the comparisons with the command line (skipped when unset).
import os
import shutil

import pytest


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("TTT_CLI") or shutil.which("ttt")
    if not path or not os.path.exists(path):
        pytest.skip("no ttt command-line binary (set TTT_CLI)")
    return path
