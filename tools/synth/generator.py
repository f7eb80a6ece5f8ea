"""Composes whole synthetic county plans from the shapes in `templates`.

Why: five real documents cannot show whether extraction holds up across thousands of county
plans, nor feed a batch benchmark. Each plan here is built like the 慈溪 2023 work plan (page
furniture, a title, an intro with the headline targets, numbered sections of 一是/二是 items)
for a real county of the chosen province, and carries the targets its shapes stated. Those
expected targets are never produced by running the extractor.

Everything is drawn from one `random.Random` per plan, seeded from (seed, plan index), so a
seed gives the same bytes on every run and every machine, and plan i of a run does not
depend on how many plans were asked for.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from rulesengine.regions import RegionError, RegionIndex, default_index
from tools.synth import templates as t
from tools.synth.templates import Context, Draft, Spec

__all__ = ["County", "SynthPlan", "SynthTarget", "counties_for", "generate"]

_CHINESE = "一二三四五六七八九十"
_SPAM = ("大发体育", "大发体育", "开云体育", "华体会", "亚博体育", "乐鱼体育")


@dataclass(frozen=True)
class SynthTarget:
    """An expected target: a gold entry whose quote is text[start:end] and occurs first there."""

    indicator: str
    value: float
    unit: str
    comparator: str
    kind: str
    basis: str
    quote: str
    start: int
    value_max: float | None = None


@dataclass(frozen=True)
class SynthPlan:
    """A synthetic county plan: its text, metadata and the targets it states."""

    id: str
    stem: str
    title: str
    issuer: str
    region: str
    region_code: str
    period: str
    text: str
    targets: tuple[SynthTarget, ...]
    spam: str | None = None
    level: str = "county"


@dataclass(frozen=True)
class County:
    """A real county-level division, with the prefecture city a plan may name (or "")."""

    name: str
    code: str
    prefecture: str
    province: str


def counties_for(province: str = "浙江省", index: RegionIndex | None = None) -> list[County]:
    """Every county-level division of the province, then those of all other provinces.

    The province's own counties come first (浙江 has 90), so a small run stays inside it; a run
    larger than that continues with the rest of China (2,843 county-level divisions in all).
    """
    ix = index or default_index()
    home = ix.resolve(province)

    def of(prov_code: str) -> list[County]:
        prov = ix.get(prov_code)
        out: list[County] = []
        for child in ix.children(prov):
            if ix.is_zone(child):
                continue  # GB/T 2260 divisions only: zones are not in the synthetic sample
            if child.level.value == "county":
                out.append(County(child.name, child.code, "", prov.name))
                continue
            pref = child.name if child.name.endswith("市") else ""
            for county in ix.children(child):
                if ix.is_zone(county):
                    continue
                out.append(County(county.name, county.code, pref, prov.name))
        return out

    rest = [c for p in ix.provinces() if p.code != home.code for c in of(p.code)]
    return of(home.code) + rest


def _region_label(ix: RegionIndex, county: County) -> str:
    """The county's name if it resolves to this county alone, else its full path.

    朝阳区 names several districts; the metadata must name the one region meant.
    """
    try:
        if ix.resolve(county.name).code == county.code:
            return county.name
    except RegionError:  # an ambiguous name: the path form resolves to this one
        pass
    return ix.path(county.code)


# -- sections: a topic, its item titles and the indicators it sets targets for -------------
@dataclass(frozen=True)
class _Section:
    title: str
    items: tuple[str, ...]
    indicators: tuple[str, ...]


_SECTIONS = (
    _Section(
        "致力稳进提质,打好稳增扩投组合拳",
        ("优化政策稳增长", "狠抓项目扩投资", "数字增效优服务", "强化运行监测调度"),
        (
            "industrial_va_growth",
            "below_scale_industrial_va_growth",
            "manufacturing_investment_growth",
            "tech_renovation_investment_growth",
            "manufacturing_major_project_investment",
            "new_above_scale_enterprises",
        ),
    ),
    _Section(
        "致力增量提质,推进平台产业高质量发展",
        ("开展先进制造业集群培育", "推进产业空间布局重构", "强化创新平台建设", "培育产业人才"),
        (
            "small_micro_parks",
            "service_manufacturing_demos",
            "industrial_design_centers",
            "first_sets",
            "enterprise_tech_centers",
            "manufacturing_innovation_centers",
            "excellent_engineers",
        ),
    ),
    _Section(
        "致力存量提质,推进“腾笼换鸟”产业治理",
        ("深化“亩均论英雄”改革", "推进老旧工业区块改造提升", "加快制造业绿色低碳发展"),
        (
            "inefficient_enterprises_rectified",
            "inefficient_land_freed",
            "backward_capacity_exits",
            "energy_saving_projects",
            "green_factories",
            "green_parks",
            "energy_intensity_reduction",
            "tax_per_mu",
            "va_per_mu",
            "tax_per_mu_growth",
            "va_per_mu_growth",
            "industrial_land_share",
            "new_energy_industry_va_growth",
        ),
    ),
    _Section(
        "致力扩量提质,推进数字经济超常规发展",
        ("争创新智造区域试点先进", "大力发展数字经济产业", "加强数字经济建设软性支撑"),
        (
            "future_factories",
            "smart_factories",
            "industrial_robots",
            "cloud_enterprises",
            "5g_base_stations",
            "industrial_internet_platforms",
            "digital_core_va",
            "digital_core_va_share_gdp",
            "digital_core_va_growth",
            "software_revenue_growth",
            "software_revenue",
        ),
    ),
    _Section(
        "致力主体提优,推进高素质企业梯队培育",
        ("聚焦头部企业培育", "加强行业梯队培育", "持续推进“小升规、规改股、股上市”"),
        (
            "new_specialized_smes",
            "new_little_giants",
            "new_single_champions",
            "new_above_scale_enterprises",
            "cloud_enterprises",
            "above_scale_enterprises_total",
            "high_tech_enterprises",
            "tech_smes",
        ),
    ),
    # The 主要预期目标 of a 政府工作报告 and the indicators real plans of other provinces add.
    _Section(
        "稳住经济基本盘,推动经济持续回升向好",
        ("扩大有效投资", "促进消费扩容提质", "稳定就业和收入", "稳住外贸外资基本盘"),
        (
            "gdp_growth",
            "gdp",
            "gdp_per_capita",
            "fixed_asset_investment_growth",
            "industrial_investment_growth",
            "retail_sales_growth",
            "budget_revenue_growth",
            "budget_revenue",
            "cpi_ceiling",
            "urban_new_jobs",
            "unemployment_rate",
            "disposable_income_growth",
            "urban_income_growth",
            "rural_income_growth",
            "foreign_trade_growth",
            "exports_growth",
            "foreign_investment",
            "service_va_growth",
            "agriculture_va_growth",
            "grain_output",
            "urbanization_rate",
            "energy_per_gdp_reduction",
            "carbon_per_gdp_reduction",
        ),
    ),
    _Section(
        "致力质效提升,推进工业经济量质齐升",
        ("壮大工业经济总量", "提升创新能力", "培育战略性新兴产业", "推动新能源汽车产业发展"),
        (
            "industrial_va",
            "manufacturing_investment",
            "tech_renovation_investment",
            "industrial_output_value",
            "industrial_output_growth",
            "industrial_revenue",
            "industrial_revenue_growth",
            "industrial_profit_growth",
            "industrial_electricity_growth",
            "rd_intensity",
            "high_tech_va_share",
            "high_tech_va_growth",
            "strategic_emerging_va_growth",
            "strategic_emerging_va_share",
            "manufacturing_va_share",
            "digital_economy_growth",
            "digital_economy_va_share",
            "nev_output",
        ),
    ),
)

_HEADLINE = (
    "industrial_va_growth",
    "below_scale_industrial_va_growth",
    "manufacturing_investment_growth",
    "tech_renovation_investment_growth",
    "digital_core_va_share_gdp",
    "digital_core_va_growth",
    "va_per_mu_growth",
    "tax_per_mu",
    "labor_productivity",
    "energy_intensity_reduction",
)


def _kind_of(opener: str) -> str:
    return "stretch" if opener.startswith(("力争", "争取")) or "力争" in opener else "baseline"


def _item(d: Draft, c: Context, ind: str, kind: str, verb: bool, pair_ok: bool) -> None:
    """Writes one catalog indicator in a shape that suits its form."""
    if ind in t.GROWTH:
        t.growth_item(d, c, ind, kind, pair=pair_ok and kind == "baseline" and c.chance(0.3))
    elif ind in t.SHARE:
        t.share_item(d, c, ind, kind)
    elif ind in t.REDUCTION:
        t.reduction_item(d, c, ind, kind)
    elif ind in t.LEVEL:
        t.level_item(d, c, ind, kind)
    else:
        v = t.COUNT[ind]
        r = c.rng.random()
        if v.first and r < 0.15:
            t.first_item(d, c, ind, kind)
        elif ind in t.PREPOSED and r < 0.35:
            t.preposed_item(d, c, ind, kind)
        else:
            t.count_item(d, c, ind, kind, verb=verb)


def _items(d: Draft, c: Context, inds: list[str], kind: str, sep: str) -> None:
    """Several items in one sentence; consecutive counts may share the first one's verb.

    Only a flow lends its verb: after "累计创建…500家" or "…总数达到8家" an item without a verb
    would read as a stock too, and its label could not say which it is.
    """
    prev_count = False
    for i, ind in enumerate(inds):
        is_count = ind in t.COUNT
        if i:
            if is_count and prev_count:  # 浙江: "新增未来工厂15家,及智能工厂(数字化车间)150家以上"
                d.add(c.pick(("、", "、", "、", "、", sep + "及", "和")))
            else:
                d.add(sep)
        _item(d, c, ind, kind, verb=not (is_count and prev_count and c.chance(0.5)), pair_ok=True)
        prev_count = is_count and d.marks[-1].spec.basis == "annual"


def _compound(d: Draft, c: Context, kind: str, pool: tuple[str, ...]) -> bool:
    """The list shapes (分别, 均, per quarter …), each at most once a plan; False if none fits."""
    choices: dict[str, Callable[[], None]] = {}
    if "new_above_scale_enterprises" in pool:
        choices["above_scale_with_total"] = lambda: t.above_scale_with_total(d, c, kind)
    if "service_manufacturing_demos" in pool:
        choices["shared_noun_counts"] = lambda: t.shared_noun_counts(d, c, kind)
    if "manufacturing_major_project_investment" in pool:
        choices["major_projects"] = lambda: t.major_projects_then_investment(d, c, kind)
        choices["renovation_trio"] = lambda: t.renovation_trio(d, c, kind)
        choices["rank_other"] = lambda: t.rank_other(d, c, kind)
    if "inefficient_land_freed" in pool:
        choices["land_and_energy"] = lambda: t.land_and_energy(d, c, kind)
    if "tax_per_mu_growth" in pool:
        per_mu = ["tax_per_mu_growth", "va_per_mu_growth"]
        choices["respectively_per_mu"] = lambda: t.respectively_growth(d, c, per_mu, kind)
        choices["respectively_level"] = lambda: t.respectively_level(d, c, kind)
    if "industrial_va_growth" in pool:
        pair = c.pick(
            (
                ["industrial_va_growth", "manufacturing_investment_growth"],
                ["manufacturing_investment_growth", "tech_renovation_investment_growth"],
                ["industrial_va_growth", "below_scale_industrial_va_growth"],
            )
        )
        choices["all_growth"] = lambda: t.all_growth(d, c, pair, kind)
        choices["quarterly_other"] = lambda: t.quarterly_other(d, c, kind)
    if "digital_core_va_growth" in pool:
        digital = ["digital_core_va_growth", "software_revenue_growth"]
        choices["respectively_digital"] = lambda: t.respectively_growth(d, c, digital, kind)
    if "new_single_champions" in pool:
        choices["respectively_count"] = lambda: t.respectively_count(d, c, kind)
    fresh = [name for name in choices if name not in c.used]
    if not fresh:
        return False
    name = c.pick(fresh)
    c.used.add(name)
    choices[name]()
    return True


def _target_sentence(d: Draft, c: Context, pool: tuple[str, ...]) -> None:
    """A sentence that states targets: [filler clause,] [opener] item, item …。"""
    if c.chance(0.3):
        d.add(t.filler_clause(c) + c.comma)
    opener = c.pick(
        ("", "", "", "力争", "力争", f"力争{c.period}年", "争取", "确保", f"确保{c.period}年", "全年")
    )
    kind = _kind_of(opener)
    d.add(opener)
    if c.chance(0.2) and _compound(d, c, kind, pool):
        if c.chance(0.4):
            d.add(c.comma)
            t.other_item(d, c, kind)
        d.add("。")
        return
    if c.chance(0.12):  # 慈溪: the county's own name (or the spam that replaced it) leads
        d.add(c.pick((c.whole, c.own())))
    k = c.pick((1, 1, 2, 2, 3))
    unused = [i for i in pool if i not in c.used]
    inds = c.rng.sample(unused, min(k, len(unused))) if unused else [c.pick(pool)]
    c.used.update(inds)
    _items(d, c, inds, kind, c.comma)
    if c.chance(0.3):
        d.add("、" if inds[-1] in t.COUNT else c.comma)
        t.other_item(d, c, kind)
    d.add("。")


def _past_then_future(d: Draft, c: Context) -> None:
    """ "2022年,全市规上工业增加值增长6.2%,今年力争增长8%": only the second number is a target."""
    ind = c.pick(("industrial_va_growth", "manufacturing_investment_growth", "digital_core_va_growth"))
    name = c.pick(t.GROWTH[ind].names)
    past = c.pick((4.1, 5.8, 6.2, 7.3, 9.6))
    value = c.pick(t.GROWTH[ind].values)
    d.add(f"{c.period - 1}年{c.comma}{c.whole}{name}增长{t.fmt(past)}%{c.comma}今年")
    d.stated(f"力争增长{t.fmt(value)}%", Spec(ind, value, "%", "gte", "stretch"))
    d.add("。")


def _furniture_head(d: Draft, c: Context, county: County, issuer_short: str) -> None:
    month, day = c.rng.randint(1, 5), c.rng.randint(1, 28)
    date = f"{c.period}-{month:02d}-{day:02d}"
    org = f"11{county.code}{c.rng.randrange(10**8, 10**9)}{c.pick(('D', 'X', 'K', 'R'))}"
    fields = [
        ("索引号", f"{org}/{c.period}-{c.rng.randrange(100000, 999999)}"),
        ("发布机构", issuer_short),
        ("公开方式", "主动公开"),
        ("组配分类", c.pick(("计划总结", "工作计划", "其他"))),
        ("主题分类", "综合政务/政务公开"),
        ("发布日期", date),
        ("成文日期", date),
        ("公开范围", "面向社会"),
    ]
    for key, value in fields:
        d.add(f"{key}:\n\n{value}\n\n")


def _headline(d: Draft, c: Context) -> None:
    """The intro's headline sentence: "规上工业增加值增长6%、力争10%,…,规上企业亩均增加值增长5.5%以上。" """
    opener = c.pick(("", "", "", "", "今年主要预期目标是:", "主要预期目标:力争", "力争", "确保"))
    kind = _kind_of(opener)
    d.add(opener)
    n = c.pick((3, 4, 4, 5, 6))
    pool = list(_HEADLINE)
    first = [] if c.chance(0.1) else ["industrial_va_growth"]  # now and then even this is omitted
    rest = [i for i in c.rng.sample(pool, len(pool)) if i not in first]
    chosen = first + rest[: n - len(first)]
    if "digital_core_va_share_gdp" in chosen and "digital_core_va_growth" in chosen:
        chosen.remove("digital_core_va_growth")
    sep = ";" if kind == "baseline" and c.chance(0.15) else c.comma
    for i, ind in enumerate(chosen):
        if i:
            d.add(sep)
        _item(d, c, ind, kind, verb=True, pair_ok=True)
    d.add("。")


def _sub_item(d: Draft, c: Context, number: str, title: str, pool: tuple[str, ...]) -> None:
    d.add(f"{number}是{title}。")
    for _ in range(c.pick((1, 1, 2))):
        d.add(t.filler_sentence(c))
    if c.chance(0.25):
        d.add(t.decoy_sentence(c))
    for _ in range(c.pick((0, 1, 1, 1, 2))):
        _target_sentence(d, c, pool)
        if c.chance(0.3):
            d.add(t.filler_sentence(c))


def _unique_quotes(text: str, marks: list[t.Mark]) -> list[SynthTarget]:
    """Widens each quote until its first occurrence in the text is the one it labels.

    Gold files locate a quote with text.find, so "力争10%" written twice would point the second
    label at the first number; cixi-2023.yaml widens such quotes the same way ("力争10%,规下").
    """
    out: list[SynthTarget] = []
    for m in marks:
        start, end = m.start, m.end
        while text.find(text[start:end]) != start:
            if end < len(text):
                end += 1
            else:
                start -= 1
        s: Spec = m.spec
        out.append(
            SynthTarget(
                s.indicator,
                float(s.value),
                s.unit,
                s.comparator,
                s.kind,
                s.basis,
                text[start:end],
                start,
                float(s.value_max) if s.value_max is not None else None,
            )
        )
    return out


def _plan(index: int, seed: int, county: County, stem: str, period: int, ix: RegionIndex) -> SynthPlan:
    rng = random.Random(f"planalign-synth:{seed}:{index}")
    short = county.name[:-1] if len(county.name) > 2 and county.name[-1] in "市县区旗" else county.name
    spam = rng.choice(_SPAM) if rng.random() < 0.25 else None
    c = Context(
        rng=rng,
        county=county.name,
        short=short,
        prefecture=county.prefecture,
        period=period,
        comma=rng.choice((",", ",", "，")),
        spam=spam,
    )
    unit = county.name[-1] if county.name[-1] in "市县区旗" else "市"
    dept = (
        "经济和信息化局" if county.province == "浙江省" else rng.choice(("工业和信息化局", "经济和信息化局"))
    )
    issuer = f"{county.name}{dept}"
    issuer_short = f"{unit}{'经信局' if dept.startswith('经济') else '工信局'}"
    title = rng.choice(
        (
            f"{issuer_short}{period}年工作思路",
            f"{issuer}{period}年工作要点",
            f"{county.name}{period}年工业和信息化工作计划",
        )
    )
    d = Draft()
    if c.chance(0.85):
        _furniture_head(d, c, county, issuer_short)
    d.add(f"{title}\n\n")
    # A tampered page shows its spam at least once, here where 慈溪's own name would stand.
    lead = spam or short
    d.add(
        t.fill(
            c,
            f"全面贯彻党的二十大精神,落实中央、省委经济工作会议要求,坚定不移推动{lead}制造业高质量发展,"
            "打好稳增扩投增效、平台产业提质、全域产业治理、数字经济发展、企业梯队培育等组合拳。",
        )
    )
    if c.chance(0.3):
        d.add(t.decoy_sentence(c))
    _headline(d, c)
    d.add(c.pick(("重点工作安排:", "重点抓好以下工作:", "")) + "\n\n")
    sections = c.rng.sample(list(_SECTIONS), c.pick((3, 4, 5, 5)))
    numbered = c.chance(0.6)
    for i, sec in enumerate(sections):
        sec_title = t.fill(c, sec.title)
        if numbered:
            d.add(f"({_CHINESE[i]}){sec_title}。")
        else:
            d.add(f"{_CHINESE[i]}、{sec_title}\n\n")
        items = c.rng.sample(list(sec.items), c.pick((2, 3, 3)) if len(sec.items) >= 3 else len(sec.items))
        for j, title_j in enumerate(items):
            _sub_item(d, c, _CHINESE[j], title_j, sec.indicators)
            if j == 0 and sec is _SECTIONS[0] and c.chance(0.3):
                _past_then_future(d, c)
        d.add("\n\n")
    d.add(c.pick(("【打印本页】【关闭窗口】\n", "打印本页\n\n关闭窗口\n", "打印本页 关闭\n")))
    text = d.text()
    return SynthPlan(
        id=stem,
        stem=stem,
        title=title,
        issuer=issuer,
        region=_region_label(ix, county),
        region_code=county.code,
        period=str(period),
        text=text,
        targets=tuple(_unique_quotes(text, d.marks)),
        spam=spam,
    )


def generate(counties: int, seed: int, province: str = "浙江省") -> list[SynthPlan]:
    """`counties` synthetic county plans, the same for the same seed.

    Counties are the province's own in a seeded order, then the rest of China's; past the last
    county they repeat with another period (a county's 2023 and 2024 plans are both real
    inputs). Periods are mostly 2023, some 2024. File stems are `<code>-<period>`, with a
    suffix only when a county and period repeat.
    """
    if counties < 0:
        raise ValueError("counties: must be zero or more")
    ix = default_index()
    pool = counties_for(province, ix)
    order = random.Random(f"planalign-synth-order:{seed}")
    home = [c for c in pool if c.province == pool[0].province]
    rest = pool[len(home) :]
    order.shuffle(home)
    order.shuffle(rest)
    ordered = home + rest
    plans: list[SynthPlan] = []
    stems: set[str] = set()
    for i in range(counties):
        county = ordered[i % len(ordered)]
        year_rng = random.Random(f"planalign-synth-period:{seed}:{i}")
        period = 2024 if year_rng.random() < 0.2 else 2023
        stem = f"{county.code}-{period}"
        if stem in stems:
            period = 2023 if period == 2024 else 2024
            stem = f"{county.code}-{period}"
        k = 2
        base = stem
        while stem in stems:
            stem = f"{base}-{k}"
            k += 1
        stems.add(stem)
        plans.append(_plan(i, seed, county, stem, period, ix))
    return plans
