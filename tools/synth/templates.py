"""Sentence shapes of real county plans, each of which knows the targets it states.

Why this module exists: extraction can only be measured honestly against expected targets
that were not produced by the extractor. So every shape here writes its words into a
`Draft` and, for each number that is a commitment, records the target it states (indicator,
value, unit, comparator, kind, basis) over the exact characters that state it. The labels
follow tests/gold/README.md: 力争/争取 opening a sentence make every target in it a stretch;
in the pair form "增长6%、力争10%" the cue marks only the number after it; 以上/突破/不低于 are
gte, 左右 approx, 以内 lte; 累计, 总数 and 达到…家 are cumulative.

The shapes are taken from the corpus (examples/plans/): 慈溪 2023 above all, and the
provincial plans of 浙江, 湖北 and 山东 for the phrasings counties copy from them. Words that
are not targets (last year's statistics, names with numbers in them, qualifiers such as
500万元以上项目库, counts of what already exists) are written by `decoy_sentence`; they state
nothing, so any catalog target found in them is a false positive.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

__all__ = [
    "COUNT",
    "GROWTH",
    "LEVEL",
    "OTHER",
    "PREPOSED",
    "REDUCTION",
    "SHARE",
    "Context",
    "Draft",
    "Mark",
    "Spec",
    "above_scale_with_total",
    "all_growth",
    "count_item",
    "decoy_sentence",
    "fill",
    "filler_clause",
    "filler_sentence",
    "first_item",
    "fmt",
    "growth_item",
    "land_and_energy",
    "level_item",
    "major_projects_then_investment",
    "other_item",
    "preposed_item",
    "quarterly_other",
    "rank_other",
    "reduction_item",
    "renovation_trio",
    "respectively_count",
    "respectively_growth",
    "respectively_level",
    "share_item",
    "shared_noun_counts",
]


_T = TypeVar("_T")


# -- what a shape states -------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """One expected target, in the gold file's terms (tests/gold/README.md)."""

    indicator: str
    value: float
    unit: str
    comparator: str
    kind: str
    basis: str = "annual"
    value_max: float | None = None


@dataclass(frozen=True)
class Mark:
    """A target stated by text[start:end] of the draft it was written into."""

    start: int
    end: int
    spec: Spec


@dataclass
class Draft:
    """Text under construction plus the targets its shapes stated, by offset.

    Offsets are recorded as the text is written, so a label can never drift from the words
    it labels, whatever is written before or after it later.
    """

    parts: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    length: int = 0

    def add(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def stated(self, quote: str, *specs: Spec) -> None:
        """Writes quote, which states every one of specs (分别/均 lists state several)."""
        start = self.length
        self.add(quote)
        for spec in specs:
            self.marks.append(Mark(start, self.length, spec))

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Context:
    """What a plan's shapes share: its random stream, region words and punctuation habits.

    `comma` is "," in pages like 慈溪's (the corpus mixes ASCII and full-width commas) and "，"
    elsewhere. `spam` is the injected term of a tampered page, written in place of the
    county's own name in some sentences, or None for a clean page.
    """

    rng: random.Random
    county: str
    short: str
    prefecture: str
    period: int
    comma: str
    spam: str | None
    used: set[str] = field(default_factory=set)

    @property
    def whole(self) -> str:
        """How the plan names its whole area: 全市 (县级市), 全县, 全区, 全旗."""
        return "全" + (self.county[-1] if self.county[-1] in "市县区旗" else "市")

    def own(self) -> str:
        """The county's name as a sentence writes it, or the spam that replaced it."""
        if self.spam and self.rng.random() < 0.3:
            return self.spam
        return self.short

    def pick(self, seq: Sequence[_T]) -> _T:
        return seq[self.rng.randrange(len(seq))]

    def fresh(self, seq: Sequence[str]) -> str:
        """One of seq not used yet in this plan (any, once all are): plans rarely repeat a line."""
        unused = [s for s in seq if s not in self.used]
        choice = self.pick(unused or seq)
        self.used.add(choice)
        return choice

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


def fmt(v: float) -> str:
    """A value as plans write it: 6, 5.5, 178.72 (never 6.0)."""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


# -- the indicator vocabulary -------------------------------------------------------------
@dataclass(frozen=True)
class Vocab:
    """How plans name one catalog indicator, and the values a county plausibly sets for it."""

    id: str
    names: tuple[str, ...]
    values: tuple[float, ...]
    unit: str = "%"
    units: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ("新增",)
    qualifiers: tuple[str, ...] = ("",)
    first: bool = False
    stock: bool = True
    only_stock: bool = False  # an indicator that is a stock by definition (规上工业企业总数)


_PCT = (4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 10, 12, 15)

GROWTH: dict[str, Vocab] = {
    v.id: v
    for v in (
        Vocab("industrial_va_growth", ("规上工业增加值", "规模以上工业增加值"), _PCT),
        Vocab("below_scale_industrial_va_growth", ("规下工业增加值",), _PCT),
        Vocab("manufacturing_investment_growth", ("制造业投资",), (*_PCT, 18, 20, 25, 30)),
        Vocab(
            "tech_renovation_investment_growth",
            ("技术改造投资", "工业技改投资", "技改投资", "工业技术改造投资"),
            (*_PCT, 18, 20),
        ),
        Vocab("digital_core_va_growth", ("数字经济核心产业增加值",), (*_PCT, 11, 13)),
        Vocab(
            "software_revenue_growth",
            ("软件和信息服务业营业收入", "软件业务收入", "软件和信息技术服务业营业收入"),
            (*_PCT, 11, 13, 20),
        ),
        Vocab("new_energy_industry_va_growth", ("新能源产业增加值",), (*_PCT, 20, 25)),
        Vocab("tax_per_mu_growth", ("规上工业亩均税收", "亩均税收", "规上企业亩均税收"), _PCT[:9]),
        Vocab("va_per_mu_growth", ("规上工业亩均增加值", "亩均增加值", "规上企业亩均增加值"), _PCT[:9]),
        # the 主要预期目标 of a 政府工作报告 and the industrial indicators real plans add (tests/real)
        Vocab("gdp_growth", ("地区生产总值", "GDP"), _PCT[:9]),
        Vocab("fixed_asset_investment_growth", ("固定资产投资", "全社会固定资产投资"), _PCT),
        Vocab("industrial_investment_growth", ("工业投资",), (*_PCT, 15, 20)),
        Vocab("retail_sales_growth", ("社会消费品零售总额",), _PCT[:9]),
        Vocab("budget_revenue_growth", ("一般公共预算收入",), _PCT[:9]),
        Vocab("cpi_ceiling", ("居民消费价格涨幅",), (2, 3)),
        Vocab("disposable_income_growth", ("居民人均可支配收入",), _PCT[:9]),
        Vocab("urban_income_growth", ("城镇居民人均可支配收入",), _PCT[:9]),
        Vocab("rural_income_growth", ("农村居民人均可支配收入",), _PCT[:9]),
        Vocab("foreign_trade_growth", ("进出口总额", "外贸进出口总额"), _PCT),
        Vocab("exports_growth", ("出口总额",), _PCT),
        Vocab("service_va_growth", ("服务业增加值",), _PCT[:9]),
        Vocab("agriculture_va_growth", ("农林牧渔业增加值",), (3, 3.5, 4, 4.5)),
        Vocab("industrial_output_growth", ("规上工业总产值", "规模以上工业总产值"), _PCT),
        Vocab("industrial_revenue_growth", ("规上工业营业收入",), _PCT),
        Vocab("industrial_profit_growth", ("规上工业利润总额",), _PCT),
        Vocab("high_tech_va_growth", ("高新技术产业增加值",), (*_PCT, 15)),
        Vocab("strategic_emerging_va_growth", ("战略性新兴产业增加值",), (*_PCT, 15)),
        Vocab("digital_economy_growth", ("数字经济增加值",), (*_PCT, 15)),
        Vocab("industrial_electricity_growth", ("工业用电量",), _PCT[:9]),
    )
}

SHARE: dict[str, Vocab] = {
    v.id: v
    for v in (
        Vocab(
            "digital_core_va_share_gdp",
            ("数字经济核心产业增加值占GDP比重", "数字经济核心产业占GDP比重"),
            (6, 7.5, 8, 8.5, 9, 10, 11, 12, 13.5, 15),
        ),
        Vocab("industrial_land_share", ("工业用地比例", "工业用地占比"), (25, 28, 30, 32, 35)),
        Vocab("urbanization_rate", ("常住人口城镇化率",), (55, 60, 65, 70)),
        Vocab("unemployment_rate", ("城镇调查失业率",), (5, 5.5)),
        Vocab("rd_intensity", ("研发经费投入强度",), (2, 2.5, 2.8, 3, 3.2)),
        Vocab("high_tech_va_share", ("高新技术产业增加值占规上工业增加值比重",), (40, 45, 50, 60)),
        Vocab("strategic_emerging_va_share", ("战略性新兴产业增加值占比",), (25, 30, 35, 40)),
        Vocab("manufacturing_va_share", ("制造业增加值占地区生产总值比重",), (28, 30, 33, 35)),
        Vocab("digital_economy_va_share", ("数字经济增加值占地区生产总值比重",), (40, 45, 50)),
    )
}

REDUCTION: dict[str, Vocab] = {
    v.id: v
    for v in (
        Vocab(
            "energy_intensity_reduction",
            ("单位工业增加值能耗", "规上工业单位增加值能耗"),
            (2, 2.5, 3, 3.5, 4, 5),
        ),
        Vocab("energy_per_gdp_reduction", ("单位地区生产总值能耗",), (2, 2.5, 3, 3.5)),
        Vocab("carbon_per_gdp_reduction", ("单位地区生产总值二氧化碳排放",), (3, 3.5, 4)),
    )
}

LEVEL: dict[str, Vocab] = {
    v.id: v
    for v in (
        Vocab("tax_per_mu", ("规上工业亩均税收", "亩均税收"), (18, 22, 25, 28.5, 32, 37, 40), "万元/亩"),
        Vocab("va_per_mu", ("规上工业亩均增加值", "亩均增加值"), (120, 135, 150, 168, 180), "万元/亩"),
        Vocab(
            "labor_productivity",
            ("规上制造业全员劳动生产率", "全员劳动生产率"),
            (26, 28, 30, 32.5, 35),
            "万元/人",
        ),
        Vocab("digital_core_va", ("数字经济核心产业增加值",), (45, 60, 80, 120, 150, 210), "亿元"),
        Vocab("software_revenue", ("软件业务收入",), (8, 12, 20, 35, 50), "亿元"),
        Vocab("gdp", ("地区生产总值",), (500, 800, 1200, 1500, 2000), "亿元"),
        Vocab("gdp_per_capita", ("人均地区生产总值",), (8, 10, 12, 15), "万元"),
        Vocab("budget_revenue", ("一般公共预算收入",), (40, 60, 80, 120), "亿元"),
        Vocab("foreign_investment", ("实际使用外资",), (1, 2, 3, 5), "亿美元"),
        Vocab("grain_output", ("粮食产量",), (30, 45, 60, 80), "万吨"),
        Vocab("industrial_output_value", ("规上工业总产值",), (800, 1200, 2000, 3000), "亿元"),
        Vocab("industrial_revenue", ("规上工业营业收入",), (900, 1300, 2100), "亿元"),
        Vocab("industrial_va", ("规上工业增加值",), (200, 300, 450, 600), "亿元"),
        Vocab("manufacturing_investment", ("制造业有效投资规模", "制造业投资"), (60, 90, 140, 255), "亿元"),
        Vocab("tech_renovation_investment", ("技术改造投资规模", "技改投资"), (40, 65, 120, 178), "亿元"),
        Vocab(
            "manufacturing_major_project_investment",
            ("制造业重大项目",),
            (25, 40, 55, 80, 120),
            "亿元",
        ),
    )
}

COUNT: dict[str, Vocab] = {
    v.id: v
    for v in (
        Vocab(
            "new_above_scale_enterprises",
            ("规上工业企业", "“小升规”企业", "小升规企业"),
            (30, 50, 60, 80, 100, 120, 150),
            "家",
            verbs=("新增", "新增", "推动"),
            stock=False,
        ),
        Vocab(
            "new_specialized_smes",
            ("专精特新中小企业", "专精特新企业"),
            (5, 8, 10, 12, 15, 20, 30),
            "家",
            verbs=("新增", "新培育", "培育", "新认定"),
            qualifiers=("", "省级", "国家级"),
        ),
        Vocab(
            "new_little_giants",
            ("专精特新“小巨人”企业", "“小巨人”企业"),
            (1, 2, 3, 4, 5),
            "家",
            verbs=("新增", "新培育", "培育"),
            qualifiers=("", "国家级"),
            first=True,
        ),
        Vocab(
            "new_single_champions",
            ("单项冠军企业", "制造业单项冠军企业", "单项冠军企业(产品)", "国家单项冠军企业(产品)"),
            (1, 2, 3),
            "家",
            verbs=("新增", "新培育", "培育"),
            qualifiers=("", "国家级", "省级"),
            first=True,
        ),
        Vocab(
            "future_factories",
            ("未来工厂", "“未来工厂”"),
            (1, 2, 3),
            "家",
            verbs=("新增", "培育", "建设"),
            qualifiers=("", "省级"),
            first=True,
        ),
        Vocab(
            "smart_factories",
            ("数字化车间(智能工厂)", "智能工厂(数字化车间)", "智能工厂", "数字化车间"),
            (5, 8, 10, 12, 15, 20),
            "个",
            units=("个", "家"),
            verbs=("新增", "新建", "培育"),
            qualifiers=("", "省级", "{pref}及以上"),
        ),
        Vocab(
            "green_factories",
            ("绿色工厂", "绿色低碳工厂"),
            (2, 3, 4, 5, 8, 10),
            "家",
            verbs=("新增", "创建", "培育"),
            qualifiers=("", "省级", "国家级、省级"),
        ),
        Vocab(
            "green_parks",
            ("绿色低碳工业园区", "绿色园区"),
            (1, 2),
            "个",
            verbs=("创建", "建成"),
            qualifiers=("", "省级"),
            first=True,
        ),
        Vocab("urban_new_jobs", ("城镇新增就业",), (3000, 5000, 8000, 12000), "人", verbs=("",), stock=False),
        Vocab("above_scale_enterprises_total", ("规上工业企业",), (300, 500, 800), "家", only_stock=True),
        Vocab("nev_output", ("新能源汽车产量",), (20000, 50000, 100000), "辆", verbs=("",), stock=False),
        Vocab(
            "high_tech_enterprises",
            ("高新技术企业",),
            (20, 30, 50, 80),
            "家",
            verbs=("新增", "新认定", "培育"),
        ),
        Vocab("tech_smes", ("科技型中小企业",), (50, 80, 100, 150), "家", verbs=("新增", "培育")),
        Vocab(
            "5g_base_stations",
            ("5G基站", "5G宏基站"),
            (300, 500, 800, 1000, 1200, 1500),
            "个",
            verbs=("新建", "建成"),
        ),
        Vocab(
            "industrial_internet_platforms",
            ("工业互联网平台",),
            (1, 2, 3, 5),
            "个",
            verbs=("新增", "创建", "培育"),
            qualifiers=("省级", "", "{pref}级以上"),
            first=True,
        ),
        Vocab(
            "enterprise_tech_centers",
            ("企业技术中心",),
            (3, 5, 8, 10, 15),
            "家",
            verbs=("新增", "新认定", "培育", "新增培育"),
            qualifiers=("省级", "", "{pref}级以上"),
        ),
        Vocab(
            "manufacturing_innovation_centers",
            ("制造业创新中心",),
            (1, 2),
            "家",
            units=("家", "个"),
            verbs=("创建", "新建", "培育"),
            qualifiers=("省级", ""),
            first=True,
        ),
        Vocab(
            "first_sets",
            ("首台(套)装备", "首台套装备", "首台(套)重大技术装备"),
            (3, 5, 8, 10, 12),
            "项",
            verbs=("新增", "认定", "新培育认定"),
            qualifiers=("省级", ""),
        ),
        Vocab(
            "service_manufacturing_demos",
            ("服务型制造示范企业", "服务型制造示范企业(平台)", "服务型制造示范"),
            (2, 3, 5, 8),
            "家",
            units=("家", "个"),
            verbs=("新增", "培育", "创建"),
            qualifiers=("省级", ""),
        ),
        Vocab(
            "industrial_design_centers",
            ("工业设计中心",),
            (2, 3, 5, 6),
            "个",
            units=("个", "家"),
            verbs=("新增", "新认定", "培育"),
            qualifiers=("省级", "", "{pref}级以上"),
        ),
        Vocab(
            "excellent_engineers",
            ("卓越工程师",),
            (20, 30, 50, 80, 100),
            "名",
            units=("名", "人"),
            verbs=("培育", "新培育", "引育"),
        ),
        Vocab(
            "inefficient_enterprises_rectified",
            ("整治提升制造业高耗低效企业", "整治提升高耗低效企业"),
            (50, 80, 100, 150, 200, 300),
            "家",
            verbs=("", "全年"),
        ),
        Vocab(
            "inefficient_land_freed",
            ("盘活腾退提升低效工业用地", "盘活低效用地", "腾出用地"),
            (500, 800, 1000, 1500, 2000, 3000),
            "亩",
            verbs=("",),
        ),
        Vocab(
            "backward_capacity_exits",
            ("淘汰落后产能企业",),
            (10, 20, 30, 50),
            "家",
            verbs=("",),
        ),
        Vocab(
            "energy_saving_projects",
            ("节能降碳技改项目", "重点节能降碳技改项目", "节能降碳技术改造项目"),
            (10, 15, 20, 30),
            "项",
            units=("项", "个"),
            verbs=("实施", "推进", "完成"),
        ),
        Vocab(
            "industrial_robots",
            ("工业机器人",),
            (200, 300, 500, 800, 1000),
            "台(套)",
            units=("台(套)", "台"),
            verbs=("推广应用", "新增", "应用"),
        ),
        Vocab(
            "cloud_enterprises",
            ("云上企业", "上云企业"),
            (20, 25, 50, 100, 200),
            "家",
            verbs=("新增", "推动"),
            qualifiers=("", "各级", "各级(省级、{pref}、市级)"),
        ),
        Vocab(
            "small_micro_parks",
            ("小微企业园",),
            (1, 2, 3, 5),
            "个",
            verbs=("新增", "建成", "提升"),
            qualifiers=("", "四星级五星级"),
        ),
    )
}

# Preposed counts ("实施20个绿色降碳改造重点项目") need a verb from rules/phrasing.yaml's
# preposed_target_verbs: after any other verb a count before a noun describes what exists.
# Each indicator takes the verbs plans use with it, and only the plain qualifiers (省级,
# 国家级) that phrasing.yaml's noun_qualifiers list.
PREPOSED: dict[str, tuple[str, ...]] = {
    "new_specialized_smes": ("新培育", "培育", "新增"),
    "smart_factories": ("新建", "新增", "培育", "打造"),
    "green_factories": ("新增", "创建", "培育"),
    "enterprise_tech_centers": ("新增", "培育", "创建"),
    "industrial_design_centers": ("新增", "培育", "创建"),
    "energy_saving_projects": ("实施",),
    "service_manufacturing_demos": ("新增", "培育", "创建", "打造"),
    "small_micro_parks": ("新建", "建成", "打造"),
    "manufacturing_innovation_centers": ("创建", "建成"),
}
_PREPOSED_NAMES = {"energy_saving_projects": ("绿色降碳改造重点项目", "节能降碳技改项目")}
_PREPOSED_QUALIFIERS = ("", "省级", "国家级")


# -- comparators -------------------------------------------------------------------------
_SUFFIX = {"": None, "以上": "gte", "左右": "approx", "以内": "lte"}
_COUNT_SUFFIX = ("", "", "以上", "以上", "左右")
_PCT_SUFFIX = ("", "", "以上", "左右")


def _suffix_cmp(suffix: str, default: str) -> str:
    return _SUFFIX.get(suffix) or default


# -- shapes: each writes one item of a sentence and labels what it states -------------------
def growth_item(d: Draft, c: Context, ind: str, kind: str, pair: bool) -> None:
    """ "规上工业增加值增长6%", "…增长6%、力争10%", "…增速10%以上", "…保持10%左右增长"."""
    v = GROWTH[ind]
    name = c.pick(v.names)
    value = c.pick(v.values)
    shape = c.rng.random()
    if pair:  # the baseline/stretch pair: 力争 marks only the number right after it
        stretch = value + c.pick((1, 2, 3, 4, 5))
        suffix = c.pick(("", "", "以上"))
        d.stated(f"{name}增长{fmt(value)}%{suffix}", Spec(ind, value, "%", "gte", "baseline"))
        d.add("、")
        cue = c.pick(("力争", "力争", "争取"))
        d.stated(f"{cue}{fmt(stretch)}%", Spec(ind, stretch, "%", "gte", "stretch"))
        return
    if shape < 0.12:
        if ind == "software_revenue_growth" and c.chance(0.5):
            name = "软件和信息技术服务业等重点产业营业收入"  # 山东
        d.stated(f"{name}保持{fmt(value)}%左右增长", Spec(ind, value, "%", "approx", kind))
        return
    if ind == "software_revenue_growth" and shape < 0.3:
        name = c.pick(("软件和信息服务业", "软件信息服务业", "软件和信息技术服务业"))  # 慈溪: "…增速10%以上"
        suffix = c.pick(_PCT_SUFFIX)
        d.stated(f"{name}增速{fmt(value)}%{suffix}", Spec(ind, value, "%", _suffix_cmp(suffix, "gte"), kind))
        return
    # Weights follow the corpus: plain 增长 dominates; 比上年 and 较<year>年 are real but rarer.
    verb = c.pick(
        (
            *(("增长",) * 8),
            *("同比增长", "同比增长", "较上年增长", "较上年增长", "增速", "比上年增长"),
            f"较{c.period - 1}年增长",
        )
    )
    suffix = c.pick(_PCT_SUFFIX)
    d.stated(f"{name}{verb}{fmt(value)}%{suffix}", Spec(ind, value, "%", _suffix_cmp(suffix, "gte"), kind))


def share_item(d: Draft, c: Context, ind: str, kind: str) -> None:
    """ "数字经济核心产业增加值占GDP比重达10%以上", "工业用地比例不低于30%"."""
    v = SHARE[ind]
    name = c.pick(v.names)
    value = c.pick(v.values)
    pre = c.pick(("达", "达到", "", "不低于", "提高到", "保持在"))
    suffix = "" if pre in ("不低于", "提高到") else c.pick(("以上", "以上", "左右", ""))
    comparator = "gte" if pre in ("达", "达到", "不低于", "提高到") else None
    cmp = _SUFFIX.get(suffix) or comparator or "gte"
    d.stated(f"{name}{pre}{fmt(value)}%{suffix}", Spec(ind, value, "%", cmp, kind))


def reduction_item(d: Draft, c: Context, ind: str, kind: str) -> None:
    """ "单位工业增加值能耗下降3%以上"."""
    v = REDUCTION[ind]
    name = c.pick(v.names)
    value = c.pick(v.values)
    verb = c.pick(("下降", "下降", "降低"))
    suffix = c.pick(_PCT_SUFFIX)
    d.stated(f"{name}{verb}{fmt(value)}%{suffix}", Spec(ind, value, "%", _suffix_cmp(suffix, "gte"), kind))


def level_item(d: Draft, c: Context, ind: str, kind: str) -> None:
    """ "规上工业亩均税收达37万元/亩", "数字经济核心产业增加值突破150亿元", "软件业务收入达12亿"."""
    v = LEVEL[ind]
    name = c.pick(v.names)
    value = c.pick(v.values)
    unit_text = v.unit
    if v.unit == "亿元" and c.chance(0.25):
        unit_text = "亿"  # 湖北: "软件业务收入达3300亿"
    if ind == "manufacturing_major_project_investment":
        pre = c.pick(("完成年度投资", "年度投资", "完成投资"))
        suffix = c.pick(("", "以上"))
        d.stated(
            f"{name}{pre}{fmt(value)}{unit_text}{suffix}",
            Spec(ind, value, v.unit, _suffix_cmp(suffix, "eq"), kind),
        )
        return
    pre = c.pick(("达", "达到", "突破", "超过", ""))
    suffix = "" if pre in ("突破", "超过") else c.pick(("", "以上", "左右"))
    cmp = _SUFFIX.get(suffix) or ("gte" if pre else "eq")
    d.stated(f"{name}{pre}{fmt(value)}{unit_text}{suffix}", Spec(ind, value, v.unit, cmp, kind))


def _count_name(c: Context, v: Vocab) -> tuple[str, str]:
    qual = c.pick(v.qualifiers)
    if "{pref}" in qual:  # 慈溪: "宁波市及以上"; a county with no prefecture city says 省级
        qual = qual.replace("{pref}", c.prefecture) if c.prefecture else "省级"
    return qual, c.pick(v.names)


def count_item(d: Draft, c: Context, ind: str, kind: str, verb: bool = True) -> None:
    """ "新增专精特新企业15家以上", "培育专精特新企业2-3家", "累计创建…平台5个以上", "新增…3 家".

    verb=False is a later item of a list that shares the first item's verb
    ("新增单项冠军企业2家、专精特新企业15家以上").
    """
    v = COUNT[ind]
    qual, name = _count_name(c, v)
    unit = c.pick(v.units or (v.unit,))
    value = c.pick(v.values)
    shape = c.rng.random()
    if v.stock and (v.only_stock or shape < 0.12):  # a stock: 累计 … or … 总数达到 …
        suffix = c.pick(_COUNT_SUFFIX)
        total = value * c.pick((3, 4, 5, 6))
        if c.chance(0.5):
            pre = f"累计{c.pick(('创建', '培育', '建成', '认定'))}"
            d.stated(
                f"{pre}{qual}{name}{fmt(total)}{unit}{suffix}",
                Spec(ind, total, unit, _suffix_cmp(suffix, "eq"), kind, "cumulative"),
            )
        else:
            word = c.pick(("总数达到", "达到"))  # "达到…家" is a stock (tests/gold/README.md)
            d.stated(
                f"{qual}{name}{word}{fmt(total)}{unit}{suffix}",
                Spec(ind, total, unit, _suffix_cmp(suffix, "gte"), kind, "cumulative"),
            )
        return
    lead = c.pick(v.verbs) if verb else ""
    if shape < 0.22 and value >= 2:  # a range: "2-3家"
        hi = value + c.pick((1, 2, 3))
        dash = c.pick(("-", "-", "—", "~"))
        d.add(lead)
        d.stated(
            f"{qual}{name}{fmt(value)}{dash}{fmt(hi)}{unit}",
            Spec(ind, value, unit, "eq", kind, value_max=hi),
        )
        return
    if shape < 0.30:  # a comparator before the number
        pre, cmp = c.pick((("不少于", "gte"), ("超过", "gte"), ("不低于", "gte")))
        d.add(lead)
        d.stated(f"{qual}{name}{pre}{fmt(value)}{unit}", Spec(ind, value, unit, cmp, kind))
        return
    suffix = c.pick(_COUNT_SUFFIX)
    space = " " if c.chance(0.04) else ""  # 慈溪: "新增国家级、省级绿色工厂3 家"
    if ind == "inefficient_land_freed" and c.chance(0.2):
        wan = c.pick((1, 1.2, 1.5, 2))  # "腾出用地1.5万亩"
        d.add(lead)
        d.stated(
            f"{name}{fmt(wan)}万亩{suffix}", Spec(ind, wan * 10000, "亩", _suffix_cmp(suffix, "eq"), kind)
        )
        return
    if ind == "5g_base_stations" and c.chance(0.2):
        wan = c.pick((1, 1.2, 1.5))  # "新建5G宏基站1.2万个" (湖北: "2.5万个以上")
        d.add(lead)
        d.stated(
            f"{name}{fmt(wan)}万{unit}{suffix}",
            Spec(ind, round(wan * 10000, 6), unit, _suffix_cmp(suffix, "eq"), kind),
        )
        return
    d.add(lead)
    d.stated(
        f"{qual}{name}{fmt(value)}{space}{unit}{suffix}",
        Spec(ind, value, unit, _suffix_cmp(suffix, "eq"), kind),
    )


def preposed_item(d: Draft, c: Context, ind: str, kind: str) -> None:
    """ "实施20个绿色降碳改造重点项目", "新增10家以上省级企业技术中心", "争创1家国家级制造业创新中心"."""
    v = COUNT[ind]
    qual = c.pick([q for q in v.qualifiers if q in _PREPOSED_QUALIFIERS] or [""])
    name = c.pick(_PREPOSED_NAMES.get(ind, v.names))
    unit = c.pick(v.units or (v.unit,))
    value = c.pick(v.values)
    if ind == "manufacturing_innovation_centers" and c.chance(0.5):
        # 争创 marks only the number after it (stretch_local_cues)
        d.stated(f"争创{fmt(value)}{unit}{qual}{name}", Spec(ind, value, unit, "eq", "stretch"))
        return
    verb = c.pick(PREPOSED[ind])
    suffix = c.pick(("", "", "以上"))
    d.stated(
        f"{verb}{fmt(value)}{unit}{suffix}{qual}{name}",
        Spec(ind, value, unit, _suffix_cmp(suffix, "eq"), kind),
    )


def first_item(d: Draft, c: Context, ind: str, kind: str) -> None:
    """ "实现省级“未来工厂”零的突破": at least one."""
    v = COUNT[ind]
    qual, name = _count_name(c, v)
    d.add("实现")
    d.stated(f"{qual}{name}零的突破", Spec(ind, 1, v.unit, "gte", kind))


def respectively_growth(d: Draft, c: Context, inds: list[str], kind: str) -> None:
    """ "规上工业亩均税收、亩均增加值分别较上年增长6%、5.5%以上" (慈溪)."""
    names = [c.pick(GROWTH[i].names) for i in inds]
    values = [c.pick(GROWTH[i].values) for i in inds]
    while len(set(values)) < len(values):  # equal rates would be written 均增长, not 分别
        values[-1] = c.pick(GROWTH[inds[-1]].values)
    verb = c.pick(("较上年增长", "增长", "同比增长"))
    suffix = c.pick(("", "以上", "左右"))
    cmp = _suffix_cmp(suffix, "gte")
    nums = "、".join(f"{fmt(x)}%" for x in values)
    specs = [Spec(i, x, "%", cmp, kind) for i, x in zip(inds, values, strict=True)]
    d.stated(f"{'、'.join(names)}分别{verb}{nums}{suffix}", *specs)


def respectively_level(d: Draft, c: Context, kind: str) -> None:
    """ "规上工业亩均增加值、亩均税收分别达到180万元/亩、37万元/亩" (浙江 2021-2025)."""
    va, tax = c.pick(LEVEL["va_per_mu"].values), c.pick(LEVEL["tax_per_mu"].values)
    d.stated(
        f"规上工业亩均增加值、亩均税收分别达到{fmt(va)}万元/亩、{fmt(tax)}万元/亩",
        Spec("va_per_mu", va, "万元/亩", "gte", kind),
        Spec("tax_per_mu", tax, "万元/亩", "gte", kind),
    )


def respectively_count(d: Draft, c: Context, kind: str) -> None:
    """ "国家级专精特新、制造业单项冠军企业分别达到750家、60家左右" (湖北): stocks."""
    smes = c.pick((20, 30, 45, 60))
    champs = c.pick((2, 3, 5, 8))
    suffix = c.pick(("", "左右", "以上"))
    cmp = _suffix_cmp(suffix, "gte")
    smes_name = c.pick(("国家级专精特新", "专精特新企业"))
    d.stated(
        f"{smes_name}、制造业单项冠军企业分别达到{smes}家、{champs}家{suffix}",
        Spec("new_specialized_smes", smes, "家", cmp, kind, "cumulative"),
        Spec("new_single_champions", champs, "家", cmp, kind, "cumulative"),
    )


def all_growth(d: Draft, c: Context, inds: list[str], kind: str) -> None:
    """ "规上工业增加值、制造业投资均增长12%左右": every item grows by the one rate."""
    names = [c.pick(GROWTH[i].names) for i in inds]
    value = c.pick(_PCT)
    suffix = c.pick(("", "以上", "左右"))
    cmp = _suffix_cmp(suffix, "gte")
    d.stated(
        f"{'、'.join(names)}均增长{fmt(value)}%{suffix}",
        *[Spec(i, value, "%", cmp, kind) for i in inds],
    )


# -- targets outside the catalog (scored for recall only) --------------------------------
@dataclass(frozen=True)
class Other:
    """An uncatalogued target: the words before the number, its unit and plausible values.

    `suffixes` are the comparator words it may take; a ceiling ("控制在…以内") takes only 以内.
    """

    name: str
    head: str
    unit: str
    values: tuple[float, ...]
    suffixes: tuple[str, ...] = ("", "以上", "左右")


OTHER: tuple[Other, ...] = (
    Other("散乱弱企业整治", "“散乱弱”企业", "家", (300, 500, 800, 1500)),
    Other("三星级绿色工厂", "三星级绿色工厂", "家", (10, 20, 40, 60)),
    Other("贯标", "两化管理体系贯标", "个", (5, 8, 10, 15)),
    Other("管理现代化对标星级评价", "开展企业管理现代化对标提升星级评价", "家", (100, 200, 500)),
    Other("产业大脑组件申请数", "申请组件数达", "个", (5, 8, 10)),
    Other("重点数字经济项目", "实施{pref}级以上重点数字经济项目(试点、示范)", "项", (5, 8, 10, 12)),
    Other("培训企业人才", "培训企业人才", "人", (500, 800, 1000, 2000)),
    Other("产业链上下游企业共同体", "组建产业链上下游企业共同体", "个", (2, 3, 5)),
    Other("链主企业", "遴选认定“链主”企业", "家", (2, 3, 5)),
    Other("为市场主体减负", "为市场主体减负", "亿元", (5, 8, 12, 20)),
    Other("节能诊断企业", "开展节能诊断企业", "家", (50, 80, 100, 200)),
    Other("数字工厂标杆企业", "数字工厂标杆企业", "家", (3, 5, 8)),
    Other("无分歧欠款化解率", "无分歧欠款化解率", "%", (100,)),
    Other("企业管理诊断", "分类别开展优质企业管理诊断", "家", (50, 100, 150)),
    Other("规上工业企业总数", "规上工业企业总数达到", "家", (600, 800, 1200, 1500)),
    Other("行业产业大脑", "累计上线试运行工业领域行业产业大脑", "个", (2, 3, 5)),
    Other("首批次新材料", "首批次新材料", "项", (2, 3, 5)),
    Other("首版次软件", "首版次软件", "项", (3, 5, 8)),
    Other("小型微型企业创业创新示范基地", "创建小型微型企业创业创新示范基地", "个", (1, 2, 3)),
    Other("产业链协同创新项目", "组织实施产业链协同创新项目", "项", (5, 10, 15)),
    # Ceilings: the corpus has none in the catalog, so 以内 is exercised here (lte).
    Other("规上工业企业亏损面", "规上工业企业亏损面控制在", "%", (10, 12, 15), ("以内",)),
    Other("新增用能", "新上项目新增用能控制在", "万吨标煤", (1.5, 2, 3), ("以内",)),
)


def other_item(d: Draft, c: Context, kind: str) -> None:
    """An item the catalog does not know ("“散乱弱”企业1500家以上"): an `other:` gold entry."""
    name = c.fresh([o.name for o in OTHER])
    item = next(x for x in OTHER if x.name == name)
    value = c.pick(item.values)
    suffix = c.pick(item.suffixes) if item.unit != "%" or "以内" in item.suffixes else ""
    basis = "cumulative" if "总数" in item.head or "累计" in item.head else "annual"
    cmp = _SUFFIX.get(suffix) or ("gte" if "达" in item.head else "eq")
    head = item.head.replace("{pref}", c.prefecture or "省")
    d.stated(
        f"{head}{fmt(value)}{item.unit}{suffix}",
        Spec("other:" + item.name, value, item.unit, cmp, kind, basis),
    )


def quarterly_other(d: Draft, c: Context, kind: str) -> None:
    """ "新建项目开工率一季度30%、二季度60%" (浙江): one uncatalogued indicator, per quarter."""
    q1 = c.pick((25, 30, 35))
    q2 = q1 + c.pick((20, 25, 30))
    d.add("新建项目开工率")
    d.stated(f"一季度{q1}%", Spec("other:新建项目开工率", q1, "%", "eq", kind))
    d.add("、")
    d.stated(f"二季度{q2}%", Spec("other:新建项目开工率", q2, "%", "eq", kind))
    if c.chance(0.5):
        q3 = min(q2 + c.pick((15, 20, 25)), 95)
        d.add("、")
        d.stated(f"三季度{q3}%", Spec("other:新建项目开工率", q3, "%", "eq", kind))


def above_scale_with_total(d: Draft, c: Context, kind: str) -> None:
    """ "新增规上工业企业1500家、总数突破2万家" (湖北): a flow, then a stock the catalog lacks."""
    n = c.pick(COUNT["new_above_scale_enterprises"].values)
    total = c.pick((600, 800, 1000, 1200, 1500))
    d.stated(f"新增规上工业企业{n}家", Spec("new_above_scale_enterprises", n, "家", "eq", kind))
    d.add("、")
    d.stated(f"总数突破{total}家", Spec("other:规上工业企业总数", total, "家", "gte", kind, "cumulative"))


def shared_noun_counts(d: Draft, c: Context, kind: str) -> None:
    """ "遴选创建8个左右国家级、80个省级服务型制造示范企业" (湖北): two counts, one noun."""
    a = c.pick((1, 2, 3))
    b = a + c.pick((3, 5, 8))
    unit = c.pick(("个", "家"))
    name = c.pick(("服务型制造示范企业", "服务型制造示范企业及平台"))
    ind = "service_manufacturing_demos"
    d.stated(
        f"遴选创建{a}{unit}左右省级、{b}{unit}市级{name}",
        Spec(ind, a, unit, "approx", kind),
        Spec(ind, b, unit, "eq", kind),
    )


def major_projects_then_investment(d: Draft, c: Context, kind: str) -> None:
    """ "抓好611项总投资10亿元以上制造业重大项目,完成年度投资1750亿元以上" (浙江).

    The count of projects describes what exists (抓好); the year's investment is the target,
    its subject named earlier in the sentence.
    """
    k = c.pick((12, 18, 25, 36))
    v = c.pick(LEVEL["manufacturing_major_project_investment"].values)
    suffix = c.pick(("", "以上"))
    d.add(f"突出抓好{k}项总投资{c.pick(('1', '5', '10'))}亿元以上制造业重大项目{c.comma}")
    d.stated(
        f"完成年度投资{fmt(v)}亿元{suffix}",
        Spec("manufacturing_major_project_investment", v, "亿元", _suffix_cmp(suffix, "eq"), kind),
    )


def renovation_trio(d: Draft, c: Context, kind: str) -> None:
    """ "实施重点技术改造项目5000个以上,完成投资1500亿元,技术改造投资增长10%" (浙江)."""
    n = c.pick((50, 80, 100, 120))
    v = c.pick((20, 35, 50, 80))
    g = c.pick(GROWTH["tech_renovation_investment_growth"].values)
    d.stated(f"实施重点技术改造项目{n}个以上", Spec("other:重点技术改造项目", n, "个", "gte", kind))
    d.add(c.comma)
    d.stated(f"完成投资{v}亿元", Spec("other:技术改造投资额", v, "亿元", "eq", kind))
    d.add(c.comma)
    d.stated(f"技术改造投资增长{fmt(g)}%", Spec("tech_renovation_investment_growth", g, "%", "gte", kind))


def land_and_energy(d: Draft, c: Context, kind: str) -> None:
    """ "腾出用地5万亩、用能120万吨标煤" (浙江): the land is in the catalog, the energy is not."""
    land = c.pick(COUNT["inefficient_land_freed"].values)
    energy = c.pick((1.5, 2, 3, 5))
    d.stated(f"腾出用地{land}亩", Spec("inefficient_land_freed", land, "亩", "eq", kind))
    d.add("、")
    d.stated(f"用能{fmt(energy)}万吨标煤", Spec("other:腾出用能", energy, "万吨标煤", "eq", kind))


_RANKS = (("三", 3), ("五", 5), ("十", 10))


def rank_other(d: Draft, c: Context, kind: str) -> None:
    """ "数字经济总量稳居全国前三" (山东), at county scale: a rank, at most N (unit 名)."""
    word, n = c.pick(_RANKS)
    d.add("制造业高质量发展综合评价")
    d.stated(f"稳居全市前{word}", Spec("other:综合评价排名", n, "名", "lte", kind))


# -- words with no target in them -------------------------------------------------------
_FILLER = (
    "聚焦传统行业转型升级、龙头企业梯队培育、老旧区块改造提升、未来产业谋划布局",
    "建立新一轮制造业高质量发展政策体系,全力推动产业结构优化升级",
    "推动{own}工业企业从粗放型向精细化生产转变",
    "保障{own}工业经济持续稳定发展",
    "完善工业投资项目全周期管理机制,动态跟踪掌握{whole}重点工业投资项目情况",
    "督促企业加快投入产出转化效率,跟踪推进谋划项目加快落地",
    "坚持抓存量和抓增量并举,着力破解重大项目缺乏困局",
    "加强数字赋能企服工作,拓展优化企业服务数字应用场景",
    "常态化开展“企业暖心、我们同行”专项助企服务活动",
    "确定{own}产业发展战略定位,明确未来产业发展重点、布局和方向",
    "紧扣省制造业高质量发展综合评价要求,强化争先进位和目标导向",
    "建立分级分类、“一企一策”的培育机制,推进政策、服务、资源聚焦集成",
    "统筹产业发展与工业用地,推进开发区(园区)系统性重构、创新性变革",
    "着力形成功能清晰、集聚集约、绿色低碳的产业空间体系",
    "开展产值与电耗、用地相挂钩的“亮灯”制度试点",
    "建立制造业低效企业清单,开展污染防治、安全生产、节约能源等专项整治",
    "加强标准地工业用地项目准入管理和二级市场产业项目履约监管",
    "建立完善企业工业用地综合评价机制,实现工业用地评价全覆盖",
    "以梳理式改造为主,全面、科学、系统推动老旧工业区块改造提升工作",
    "制定工业领域碳达峰行动方案,培育发展低碳高新产业",
    "梯度培育绿色低碳工厂,支持龙头企业建设绿色供应链",
    "加快推进规上工业企业数字化改造、重点细分行业数字化改造和企业上云上平台",
    "持续推进未来工厂—智能工厂—数字化车间梯队培育",
    "联合数字化改造服务商梳理行业共性问题和个性需求,以点带面实现细分行业全覆盖",
    "着力推进新型产业平台建设,发展新型产业用地",
    "推进行业产业大脑推广应用,推动行业企业上脑用脑",
    "构筑工业互联网+智能制造生态服务体系",
    "谋划出台新一轮大企业培育政策,优化资源要素配置",
    "建立完善“创新型中小企业—专精特新中小企业—专精特新小巨人企业—单项冠军企业”梯队培育机制",
    "引导企业建立现代企业制度,加快企业股份制改造扩面和资本市场上市步伐",
    "加强精准对接指导服务,树立典型并加强宣传推广",
    "{own}家电、智能电气等优势产业积极争创省级先进制造业产业集群",
)

_FILLER_WITH_CUES = (
    "力争推进解决一批企业共性诉求难题",
    "争取更多的能力组件在全省产业大脑能力开放中心上架",
    "确保企业平稳向上发展",
    "努力打造一批产品卓越、品牌卓著、创新领先、治理现代的一流企业",
)


def filler_clause(c: Context) -> str:
    """A clause with no number and no 力争/确保: it may open a target sentence."""
    return fill(c, c.fresh(_FILLER))


def filler_sentence(c: Context) -> str:
    """A whole sentence with no target; 力争 or 确保 may appear, as in real plans."""
    return fill(c, c.fresh(_FILLER + _FILLER_WITH_CUES)) + "。"


def fill(c: Context, s: str) -> str:
    """Puts the county's words (or the spam) into a template line, with the plan's commas."""
    while "{own}" in s:
        s = s.replace("{own}", c.own(), 1)
    return s.replace("{whole}", c.whole).replace(",", c.comma)


def decoy_sentence(c: Context) -> str:
    """A sentence with numbers but no target: past statistics, names, qualifiers, what exists.

    Why: these are the extractor's false-positive traps in the corpus: "2022年,全市规上工业
    增加值增长6.2%", "去年完成工业投资178.72亿元", “415X”, “8+4”, 第八届, 500万元以上项目库,
    "培育一批5亿元、10亿元以上头部企业", "加快9个数字经济领域制造业重点项目建设进度".
    """
    prev = c.period - 1
    w = c.whole
    k = c.rng.randrange(14)
    pct = fmt(c.pick((4.8, 5.6, 6.2, 7.1, 8.3, 9.4, 11.2)))
    if k == 0:
        inv = fmt(c.pick((3.5, 8.7, 12.1)))
        return f"{prev}年{c.comma}{w}规上工业增加值增长{pct}%{c.comma}制造业投资增长{inv}%。"
    if k == 1:
        return f"去年完成工业投资{fmt(c.pick((86.5, 132.4, 178.72, 215.3)))}亿元{c.comma}同比增长{pct}%。"
    if k == 2:
        n = c.pick((8, 12, 15, 21))
        return f"过去一年{c.comma}{w}新增专精特新企业{n}家、规上工业企业{n * 5}家。"
    if k == 3:
        return f"{prev}年{w}数字经济核心产业增加值占GDP比重达{pct}%{c.comma}亩均税收达{pct}万元/亩。"
    if k == 4:
        return "全面实施“415X”先进制造业集群培育工程,精准落实“8+4”经济政策体系。".replace(",", c.comma)
    if k == 5:
        return "深化“3+3”千百亿级产业集群建设,推进“1+N”企业服务体系迭代。".replace(",", c.comma)
    if k == 6:
        return (
            f"积极组织企业参加第八届中国设计智造大奖{c.comma}做好第{c.pick(('二', '三', '五'))}批试点申报。"
        )
    if k == 7:
        return f"排摸建立{c.own()}500万元以上项目库和三年五年谋划储备项目库。"
    if k == 8:
        return f"聚焦培育一批5亿元、10亿元以上头部企业{c.comma}加强上市、冠军等优势企业跟踪服务。"
    if k == 9:
        return f"加快{c.pick((6, 9, 12))}个数字经济领域制造业重点项目建设进度。"
    if k == 10:
        return f"支持{c.pick((18, 25, 40))}家企业开展数字化改造诊断{c.comma}推广“N+X”模式数字化改造。"
    if k == 11:
        return f"已建成省级未来工厂{c.pick((1, 2))}家、智能工厂(数字化车间){c.pick((12, 20, 31))}个。"
    if k == 12:
        return f"加强与山区26县产业协作{c.comma}打造“5G+工业互联网”应用场景。"
    n, m = c.pick((60, 85, 112)), c.pick((1, 2))
    return f"{prev}年{c.comma}{w}新增“小升规”企业{n}家{c.comma}培育单项冠军企业{m}家。"
