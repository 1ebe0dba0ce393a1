#!/usr/bin/env python3
"""Rewrites tests/forecast/golden_test.cc's digests to what BUILD/tests/golden_test computes now.

For a change that means to move forecast values: run it, read the diff, and say in the commit
message why the values moved.   tests/forecast/update_golden.py [BUILD (build)]
"""
import pathlib
import re
import subprocess
import sys

build = sys.argv[1] if len(sys.argv) > 1 else "build"
run = subprocess.run([f"{build}/tests/golden_test"], capture_output=True, text=True)
digest = r'"([0-9a-f]{16})"'
# gtest prints each failed EXPECT_EQ(actual, expected) as the actual's value, then the expected
# one's: as a second "Which is" when it is an expression, or as the literal itself.
pairs = re.findall(r"Which is: " + digest + r"\n\s+(?:" + digest + r"|.*\n\s+Which is: " + digest + r")",
                   run.stdout)
source = pathlib.Path(__file__).with_name("golden_test.cc")
text = source.read_text()
for actual, literal, expression in pairs:
    old = literal or expression
    text = text.replace(f'"{old}"', f'"{actual}"')
    print(f"{old} -> {actual}")
source.write_text(text)
print(f"{len(pairs)} digests updated" if pairs else "no digest moved")
