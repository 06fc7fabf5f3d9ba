"""The one compiled piece of footprint: PDQ's blur, DCT and luma, bit for bit the reference's
(src/footprint/hashers/_pdqc.c), and the region signature's bar test, numpy's boxes
(src/footprint/hashers/_bars.c).

It is optional: without a C compiler the build goes on, PDQ runs the reference's own steps and numpy
tests the bars: slower, never different.
Everything else about the package is in pyproject.toml.
"""

import os

from setuptools import Extension, setup

# Never fuse or reassociate floating-point operations: the result must stay the reference's, bit for bit.
# Python builds with -fwrapv, which keeps the compiler from vectorising the loops (1.6 times slower).
FLAGS = ["-O3", "-fno-wrapv", "-ffp-contract=off", "-fno-fast-math"] if os.name == "posix" else ["/fp:precise"]

SOURCES = ["src/footprint/hashers/_pdqc.c", "src/footprint/hashers/_bars.c"]

setup(ext_modules=[Extension("footprint.hashers._pdqc", SOURCES, depends=["src/footprint/hashers/_lanes.h"],
                             extra_compile_args=FLAGS, optional=True)])
