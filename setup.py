"""Only the package list lives here; everything else about the build is in pyproject.toml.

Why a setup.py at all: the rules data is edited in the top-level ``rules/`` and ``specs/``
folders but ships as the packages ``planalign_rules`` and ``planalign_rules.specs``
(``rulesengine/ruledata.py`` reads them through importlib.resources). pyproject's
``packages.find`` cannot name a package after a folder of another name, and a hand-written list
would silently drop the next new subpackage from the wheel; ``find_packages`` plus two fixed
names does both. ``tools/`` (development tools) is left out of the wheel on purpose.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["rulesengine", "rulesengine.*", "api", "api.*", "planalign", "planalign.*"]),
        "planalign_rules",
        "planalign_rules.pack",
        "planalign_rules.specs",
    ],
    package_dir={"planalign_rules": "rules", "planalign_rules.specs": "specs"},
)
