"""The catalog this service extracts with, and how reviewers' corrections teach it.

The installed ``rules/indicators.yaml`` is the analysts' file and ships in the wheel; a server
learns on top of it. A correction that names an indicator for words the catalog did not know
(``技改投入`` for 技术改造投资增长) becomes a *suggestion*; suggestions are counted across
corrections, and an admin accepts or declines them. Accepting one appends an entry to the
*overlay* (one version per entry, never edited, each audited); the service composes the
installed catalog with the overlay (``Catalog.overlaid``) for every new extraction and every
check, which records the composed version (``2026.12.5+overlay.3``). The overlay exports as a
YAML patch for ``rules/indicators.yaml``, so what one server learned can ship to all.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from threading import Lock
from typing import Any

import yaml
from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from api.auth import Principal
from api.db import CatalogOverlayEntry, CatalogSuggestion, TargetCorrection, utcnow
from api.errors import Problem, conflict, not_found
from api.schemas import (
    CatalogOverlayPublic,
    OverlayEntryPublic,
    SuggestionAccept,
    SuggestionPublic,
    TargetProposal,
)
from api.services.common import record
from rulesengine.catalog import Catalog, default_catalog
from rulesengine.labels import indicator_name
from rulesengine.model import Basis, Comparator, Indicator, Kind

__all__ = [
    "accept_suggestion",
    "current_catalog",
    "decline_suggestion",
    "list_suggestions",
    "overlay",
    "overlay_patch",
    "overlay_version",
    "propose",
    "resolve_indicator",
    "suggest",
    "wording_of",
]

MAX_QUOTES = 20
"""Quotes kept per suggestion: enough for an admin to judge, bounded for a popular one."""


# -- the composed catalog --------------------------------------------------------------------


def _entries(session: Session) -> list[CatalogOverlayEntry]:
    return list(session.exec(select(CatalogOverlayEntry).order_by(col(CatalogOverlayEntry.version))).all())


def overlay_version(session: Session) -> int:
    return int(session.exec(select(func.coalesce(func.max(CatalogOverlayEntry.version), 0))).one())


_composed: dict[tuple[Any, ...], Catalog] = {}
_composed_lock = Lock()


def _compose(base: Catalog, entries: list[CatalogOverlayEntry]) -> Catalog:
    synonyms: dict[str, list[str]] = {}
    indicators: list[Indicator] = []
    for e in entries:
        if e.kind == "indicator" and e.body is not None:
            indicators.append(Indicator.model_validate(e.body))
        elif e.kind == "synonym":
            synonyms.setdefault(e.indicator, []).append(e.wording)
    return base.overlaid(synonyms, indicators, overlay_version=max((e.version for e in entries), default=0))


def current_catalog(session: Session) -> Catalog:
    """The installed catalog with this database's overlay, one object per overlay content.

    The same object while the overlay is unchanged: the library caches facts per catalog
    identity, and a new catalog per request would throw those caches away.
    """
    base = default_catalog()
    entries = _entries(session)
    if not entries:
        return base
    key = (
        id(base),
        base.version,
        *((e.version, e.kind, e.indicator, e.wording, repr(e.body)) for e in entries),
    )
    with _composed_lock:
        found = _composed.get(key)
        if found is None:
            if len(_composed) > 32:
                _composed.clear()
            found = _composed[key] = _compose(base, entries)
        return found


def overlay(session: Session) -> CatalogOverlayPublic:
    base = default_catalog()
    entries = _entries(session)
    return CatalogOverlayPublic(
        base_version=base.version,
        overlay_version=max((e.version for e in entries), default=0),
        catalog_version=current_catalog(session).version,
        entries=[OverlayEntryPublic.model_validate(e) for e in entries],
    )


# -- naming an indicator in a correction -----------------------------------------------------


def resolve_indicator(text: str, catalog: Catalog, unit: str = "") -> str:
    """The indicator a reviewer means: a catalog id, a catalog name (技术改造投资增长), a term
    that names one indicator (or one with this unit), or else a new indicator ``other:<words>``.

    A term that names several (规上工业增加值: the growth rate and the level) and that the unit
    does not settle is refused, naming the candidates, rather than guessed.
    """
    text = text.strip()
    if text in catalog or text.startswith("other:"):
        return text
    by_name = [i for i in catalog if i.name == text]
    if len(by_name) == 1:
        return by_name[0].id
    named = list(catalog.by_term(text))
    if len(named) > 1 and unit:
        named = [i for i in named if unit in i.units] or named
    if len(named) == 1:
        return named[0].id
    if len(named) > 1:
        choices = "、".join(f"{i.name}({i.id})" for i in named)
        raise Problem(
            422,
            "ambiguous_indicator",
            f"“{text}”可指多个指标:{choices};请选择其中一个",
            f"{text!r} names several indicators: {', '.join(i.id for i in named)}; choose one",
            field="indicator",
        )
    if not re.fullmatch(r"[\w\u3000-\u9fff（）()·、%]+", text) or text.isascii():
        raise Problem(
            422,
            "unknown_indicator",
            f"指标“{text}”不在指标目录中:请从列表中选择,或用中文写出新指标的名称",
            f"indicator {text!r} is not in the catalog: pick one from the list, or write the new "
            "indicator's name in Chinese",
            field="indicator",
        )
    return f"other:{text}"


# -- proposing a target from selected text ----------------------------------------------------

_NUMBER_RE = re.compile(
    r"(?P<value>\d+(?:\.\d+)?)(?:\s*[-—~～至到]\s*(?P<max>\d+(?:\.\d+)?))?\s*"
    r"(?P<unit>%|个百分点|亿元|万元|万亩|万千瓦|万吨|万人|万个|家|个|项|座|亿|万)?"
)
_WORDS_FOR_NUMBERS = {"两位数": 10.0, "一成": 10.0, "翻一番": 100.0, "翻番": 100.0}
_PREDICATE_RE = re.compile(
    r"(实现|增长|增速|增幅|同比|较上年|比上年|达到|达|提高|提升|下降|降低|控制在|保持|不低于|不少于|"
    r"超过|突破|力争|确保|年均|累计|新增|完成|\d|两位数|一成|翻)"
)
_LEADING_RE = re.compile(r"^(?:[，,、;；。:：\s]|全市|全县|全区|全省|全年|今年|明年|\d{4}年|到\d{4}年)+")


def wording_of(quote: str) -> str:
    """The words before the number and the verb: ``技改投入实现两位数增长`` → ``技改投入``."""
    head = _PREDICATE_RE.split(quote, maxsplit=1)[0]
    return _LEADING_RE.sub("", head).strip("，,、;；:：“”\"' ")[:100]


def _guess_indicator(quote: str, wording: str, unit: str, catalog: Catalog) -> str | None:
    """The catalog indicator the quote most likely names: a catalog term in it, else the term
    sharing the longest run of characters with its wording; growth when the quote says it
    grows by a percentage, a level with an amount."""
    growth = unit in ("%", "") and re.search(r"增长|增速|增幅|提高|提升", quote) is not None

    def fits(ind: Indicator) -> bool:
        if not unit and not growth:
            return True
        if growth:
            return ind.form.value == "growth"
        return unit in ind.units

    for term in catalog.terms():  # longest first
        if term in quote:
            found = [i for i in catalog.by_term(term) if fits(i)]
            if found:
                return found[0].id
    best: tuple[int, str] | None = None
    for term in catalog.terms():
        match = SequenceMatcher(None, wording, term).find_longest_match()
        if match.size >= 2 and (best is None or match.size > best[0]):
            found = [i for i in catalog.by_term(term) if fits(i)]
            if found:
                best = (match.size, found[0].id)
    return best[1] if best else None


def propose(quote: str, span_start: int | None, catalog: Catalog) -> TargetProposal:
    """What a reviewer's selection of a missed target probably says, for the form to start from.

    A proposal only: the reviewer sees every field and corrects it before anything is saved.
    """
    quote = quote.strip()[:2000]
    value: float | None = None
    value_max: float | None = None
    unit = ""
    comparator = Comparator.eq
    number = _NUMBER_RE.search(quote)
    if number is not None:
        value = float(number.group("value"))
        value_max = float(number.group("max")) if number.group("max") else None
        unit = number.group("unit") or ""
    else:
        for words, amount in _WORDS_FOR_NUMBERS.items():
            if words in quote:
                value, unit, comparator = amount, "%", Comparator.gte
                break
    tail = quote[number.end() :] if number is not None else quote
    if re.search(r"以上|不低于|不少于|超过", quote) or (number is None and value is not None):
        comparator = Comparator.gte
    elif re.search(r"以内|以下|不超过|控制在", quote):
        comparator = Comparator.lte
    elif re.match(r"\s*左右", tail):
        comparator = Comparator.approx
    wording = wording_of(quote)
    indicator = _guess_indicator(quote, wording, unit, catalog)
    return TargetProposal(
        quote=quote,
        span_start=span_start,
        indicator=indicator,
        indicator_name=indicator_name(indicator, catalog) if indicator else "",
        value=value,
        value_max=value_max,
        unit=unit,
        comparator=comparator,
        kind=Kind.stretch if "力争" in quote else Kind.baseline,
        basis=Basis.average if "年均" in quote else Basis.cumulative if "累计" in quote else Basis.annual,
        wording=wording,
    )


# -- suggestions -----------------------------------------------------------------------------


def _known(wording: str, indicator: str, catalog: Catalog) -> bool:
    """Whether the catalog already reads ``wording`` as ``indicator`` (or any of its concept)."""
    ind = catalog.get(indicator)
    if ind is None:
        return False
    same = {indicator, *(i.id for i in catalog.same_concept(indicator))}
    return any(i.id in same for i in catalog.by_term(wording)) or any(
        term in wording for term in (ind.name, *ind.synonyms)
    )


def suggest(
    session: Session,
    principal: Principal,
    correction: TargetCorrection,
    *,
    extracted_indicator: str | None,
    catalog: Catalog,
) -> CatalogSuggestion | None:
    """Turn a correction into a catalog suggestion when it names an indicator for words the
    catalog did not recognise; None when there is nothing to learn.

    Learned from: an added target (the extractor read nothing there), or an edit of a target
    the extractor could only name by its words (``other:…``). Not from an edit that moves a
    catalogued target to another catalog id: that is a misreading, and a synonym would not fix
    it. The wording is the reviewer's (proposed from the quote, corrected in the form).
    """
    if correction.action == "reject":
        return None
    if correction.action == "edit" and not (extracted_indicator or "").startswith("other:"):
        return None
    wording = (correction.wording or "").strip() or wording_of(correction.quote)
    if len(wording) < 2 or len(wording) > 100:
        return None
    if correction.indicator.startswith("other:"):
        kind, indicator = "indicator", correction.indicator.removeprefix("other:")
        if not indicator:
            return None
    else:
        if _known(wording, correction.indicator, catalog):
            return None
        kind, indicator = "synonym", correction.indicator
    row = session.exec(
        select(CatalogSuggestion).where(
            CatalogSuggestion.kind == kind,
            CatalogSuggestion.wording == wording,
            CatalogSuggestion.indicator == indicator,
        )
    ).first()
    quote = {"plan_id": correction.plan_id, "correction_id": correction.id, "quote": correction.quote}
    if row is None:
        row = CatalogSuggestion(
            kind=kind, wording=wording, indicator=indicator, unit=correction.unit, quotes=[quote]
        )
        session.add(row)
        session.flush()
        action = "suggestion_created"
    else:
        row.count += 1
        row.updated_at = utcnow()
        if len(row.quotes) < MAX_QUOTES:
            row.quotes = [*row.quotes, quote]
        if row.status == "declined":  # asked again after a decline: back on the admin's list
            row.status = "open"
        session.add(row)
        session.flush()
        action = "suggestion_counted"
    record(
        session,
        principal,
        action,
        "suggestion",
        row.id,
        plan_id=correction.plan_id,
        comment=f"{'同义词' if kind == 'synonym' else '新指标'} “{wording}” → {indicator}"
        f"(更正 #{correction.id})",
    )
    return row


def _public(row: CatalogSuggestion, catalog: Catalog) -> SuggestionPublic:
    public = SuggestionPublic.model_validate(row)
    name = indicator_name(row.indicator, catalog) if row.kind == "synonym" else row.indicator
    return public.model_copy(update={"indicator_name": name})


def list_suggestions(session: Session, status: str | None = None) -> list[SuggestionPublic]:
    """Suggestions, the most asked-for first."""
    query = select(CatalogSuggestion)
    if status:
        query = query.where(CatalogSuggestion.status == status)
    rows = session.exec(query.order_by(col(CatalogSuggestion.count).desc(), col(CatalogSuggestion.id))).all()
    catalog = current_catalog(session)
    return [_public(r, catalog) for r in rows]


def _suggestion(session: Session, suggestion_id: int) -> CatalogSuggestion:
    row = session.get(CatalogSuggestion, suggestion_id)
    if row is None:
        raise not_found("目录建议", "catalog suggestion", suggestion_id, field="suggestion_id")
    if row.status != "open":
        raise conflict(
            "suggestion_decided",
            f"目录建议 {suggestion_id} 已处理(状态 {row.status}),未作改动",
            f"catalog suggestion {suggestion_id} was already decided ({row.status}); nothing changed",
            field="suggestion_id",
        )
    return row


_FORM_OF_UNIT = {
    "%": "growth",
    "个百分点": "growth",
    "家": "count",
    "个": "count",
    "项": "count",
    "座": "count",
}


def _new_indicator(row: CatalogSuggestion, body: SuggestionAccept, catalog: Catalog) -> Indicator:
    if not body.id:
        raise Problem(
            422,
            "id_required",
            "采纳新指标需要给出指标编号(小写字母、数字和下划线,如 equipment_renewal_investment_growth)",
            "accepting a new indicator needs an id (lower-case letters, digits and _)",
            field="id",
        )
    if body.id in catalog:
        raise conflict(
            "indicator_exists",
            f"指标编号 {body.id} 已在指标目录中:请换一个,或把这一写法作为它的同义词",
            f"indicator id {body.id} is already in the catalog: choose another",
            field="id",
        )
    unit = body.unit or row.unit or "%"
    form = body.form or _FORM_OF_UNIT.get(unit, "level")
    data: dict[str, Any] = {
        "id": body.id,
        "name": body.name or row.indicator,
        "synonyms": sorted({row.wording, row.indicator} - {body.name or row.indicator}),
        "units": [unit],
        "form": form,
        "reference": f"审核人更正:{row.quotes[0]['quote'] if row.quotes else row.wording}",
    }
    if body.direction:
        data["direction"] = body.direction
    if form == "level":
        data["scale"] = "extensive"
    try:
        return Indicator.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "form"
        raise Problem(
            422,
            "invalid_indicator",
            f"新指标无效:{err['msg']}",
            f"the new indicator is invalid: {err['msg']}",
            field=field,
        ) from None


def accept_suggestion(
    session: Session, principal: Principal, suggestion_id: int, body: SuggestionAccept
) -> SuggestionPublic:
    """Write the suggestion into the overlay as its next version; one commit, audited.

    The composed catalog is built before anything is written, so an entry that would break it
    (a synonym for an indicator that is gone, a clashing id) is refused and nothing is stored.
    """
    row = _suggestion(session, suggestion_id)
    catalog = current_catalog(session)
    version = overlay_version(session) + 1
    entry = CatalogOverlayEntry(
        version=version,
        kind=row.kind,
        indicator=row.indicator,
        wording=row.wording,
        suggestion_id=row.id,
        created_by=principal.name,
        comment=body.comment,
    )
    if row.kind == "indicator":
        new = _new_indicator(row, body, catalog)
        entry.indicator, entry.body = (
            new.id,
            new.model_dump(mode="json", exclude_defaults=True)
            | {
                "id": new.id,
                "units": list(new.units),
                "form": new.form.value,
            },
        )
    try:
        _compose(default_catalog(), [*_entries(session), entry])
    except (ValueError, ValidationError) as exc:
        raise Problem(
            422,
            "overlay_invalid",
            f"无法并入指标目录:{exc}",
            f"cannot be merged into the catalog: {exc}",
            field="suggestion_id",
        ) from None
    session.add(entry)
    row.status, row.decided_at, row.decided_by = "accepted", utcnow(), principal.name
    row.decision_comment, row.overlay_version = body.comment, version
    session.add(row)
    session.flush()
    record(
        session,
        principal,
        "suggestion_accepted",
        "suggestion",
        row.id,
        comment=f"目录叠加第 {version} 版:{'同义词' if row.kind == 'synonym' else '新指标'} "
        f"“{row.wording}” → {entry.indicator}" + (f";{body.comment}" if body.comment else ""),
    )
    session.commit()
    return _public(row, current_catalog(session))


def decline_suggestion(
    session: Session, principal: Principal, suggestion_id: int, comment: str
) -> SuggestionPublic:
    row = _suggestion(session, suggestion_id)
    row.status, row.decided_at, row.decided_by, row.decision_comment = (
        "declined",
        utcnow(),
        principal.name,
        comment,
    )
    session.add(row)
    record(session, principal, "suggestion_declined", "suggestion", row.id, comment=comment)
    session.commit()
    return _public(row, current_catalog(session))


# -- the YAML patch --------------------------------------------------------------------------


def overlay_patch(session: Session) -> str:
    """The overlay as a patch for rules/indicators.yaml: what to add where, and from which
    version of the file it was learned. An analyst merges it (the catalog's own layout, so each
    block pastes into place), bumps the file's version and writes the CHANGELOG line."""
    base = default_catalog()
    entries = _entries(session)
    synonyms: dict[str, list[str]] = {}
    new: dict[str, dict[str, Any]] = {}
    for e in entries:
        if e.kind == "synonym":
            synonyms.setdefault(e.indicator, []).append(e.wording)
        elif e.body is not None:
            new[e.indicator] = {k: v for k, v in e.body.items() if k != "id"}
    version = max((e.version for e in entries), default=0)
    body = {
        "base_version": base.version,
        "overlay_version": version,
        "add_synonyms": synonyms,
        "add_indicators": new,
    }
    head = (
        f"# 指标目录补丁 / catalog patch: 叠加第 {version} 版,基于 indicators.yaml {base.version}\n"
        "# add_synonyms: 把每个写法加入该指标的 synonyms / append each wording to that indicator's synonyms\n"
        "# add_indicators: 作为新条目加入 indicators / add as new entries under indicators\n"
        "# 然后提高 indicators.yaml 的 version 并写 CHANGELOG\n"
        "# then bump its version and add a CHANGELOG line\n"
    )
    return head + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)
