"""Where the rules data is: the one answer to "which indicators.yaml, which rule pack, which specs".

Why one home: the catalog, the phrasing, the rule pack, the regions, the scopes and the spam
terms each used to find the top-level ``rules/`` folder by path arithmetic from ``__file__``,
which holds only in a checkout. Now every loader asks :func:`rules_data`:

* The data ships inside the distribution as the package ``planalign_rules``: ``setup.py`` maps
  it onto the top-level ``rules/`` folder (where analysts edit it) and ``planalign_rules.specs``
  onto ``specs/``, so a wheel carries both and :mod:`importlib.resources` finds them wherever pip
  put them. An editable install (``make venv``) maps the same names onto the checkout's folders:
  an edit under ``rules/`` takes effect without reinstalling.
* ``PLANALIGN_RULES=/path/to/pack`` points every loader at an analyst's own pack instead: a
  folder laid out as the shipped one — ``indicators.yaml``, ``phrasing.yaml``, ``regions.yaml``,
  ``scopes.yaml``, ``spam_terms.yaml``, ``pack/`` and ``specs/`` (the features the rules name).
  A copy of the installed ``planalign_rules`` folder is such a pack; ``planalign rules list``
  prints where the pack in use lives.

The defaults are loaded once per process (``default_catalog``, ``default_rulebook`` …), so the
variable counts when the first of them loads: set it before planalign starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rulesengine.datafile import DataFileError

__all__ = ["DATA_PACKAGE", "ENV_VAR", "SPECS_PACKAGE", "RulesData", "rules_data"]

ENV_VAR = "PLANALIGN_RULES"
DATA_PACKAGE = "planalign_rules"
SPECS_PACKAGE = "planalign_rules.specs"


@dataclass(frozen=True)
class RulesData:
    """The folders the rules data is read from, and why those (``origin``)."""

    root: Path
    specs: Path
    origin: str

    @property
    def indicators(self) -> Path:
        return self.root / "indicators.yaml"

    @property
    def phrasing(self) -> Path:
        return self.root / "phrasing.yaml"

    @property
    def regions(self) -> Path:
        return self.root / "regions.yaml"

    @property
    def scopes(self) -> Path:
        return self.root / "scopes.yaml"

    @property
    def spam_terms(self) -> Path:
        return self.root / "spam_terms.yaml"

    @property
    def pack(self) -> Path:
        return self.root / "pack"


def _package_dir(name: str) -> Path:
    """The folder of a data package. Loaders read files with ``Path`` (rglob, copytree), and pip
    always unpacks a wheel, so a package that is not a plain folder is an error, said plainly."""
    try:
        found = resources.files(name)
    except ModuleNotFoundError:
        raise DataFileError(
            name,
            None,
            None,
            f"规则数据包未安装:请安装 planalign(pip install .)或设置 {ENV_VAR}",
            f"the rules data package is not installed: pip install planalign, or set {ENV_VAR}",
        ) from None
    if not isinstance(found, Path) or not found.is_dir():
        raise DataFileError(
            str(found), None, None, "规则数据不在文件系统的目录中", "the rules data is not a folder on disk"
        )
    return found


def rules_data() -> RulesData:
    """The rules data in use: the ``PLANALIGN_RULES`` folder if set, else the installed one."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        root = Path(override).expanduser().resolve()
        if not root.is_dir():
            raise DataFileError(
                root,
                None,
                None,
                "规则数据目录不存在",
                "the rules data folder does not exist",
                where=f" (环境变量/variable {ENV_VAR})",
            )
        return RulesData(root=root, specs=root / "specs", origin=ENV_VAR)
    return RulesData(root=_package_dir(DATA_PACKAGE), specs=_package_dir(SPECS_PACKAGE), origin=DATA_PACKAGE)
