"""Packaging glue pyproject.toml cannot express: the repository's ``data/`` (vocabulary and
sample, edited there) ships inside the wheel as the package directory ``matcher/data/``,
so an installed ``matcher`` finds them anywhere. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

# folders of data files (and Alembic's revision scripts), named so setuptools ships them
DATA_PACKAGES = ["matcher.data", "matcher.data.sample", "matcher.migrations.versions"]

setup(
    packages=[*find_packages(include=["matcher*", "api*", "web*"]), *DATA_PACKAGES],
    package_dir={"matcher.data": "data"},
)
