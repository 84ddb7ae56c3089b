"""Packaging glue pyproject.toml cannot express: the repository's ``data/`` (vocabulary and
sample, edited there) ships inside the wheel as the package directory ``matcher/data/``,
so an installed ``matcher`` finds them anywhere. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["matcher*", "api*", "web*"]), "matcher.data"],
    package_dir={"matcher.data": "data"},
)
