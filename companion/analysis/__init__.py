"""The analysis: one incremental analyzer fed by live calls and files alike (see analyzer.py)."""
