# language: zh-CN
功能: 上级数量总目标的分解（规则 decomposition_shortfall、decomposition_unassigned）
  省、市的数量总目标（新增规上工业企业、智能工厂……）要分解到下一级：本批中下一级规划同一指标、
  同一期间、同一单位的目标合计少于上级总量时报告（decomposition_shortfall），没有一个下级设定该
  目标时提示（decomposition_unassigned）。下一级：本批有该省的市级规划时为地级市，否则为县（市、区）。
  上级的“以上”是总量的下限，照样比较；“以内”是上限，不比较；“每个县……”是对每个县的要求，不是总量。

  场景: 全省新增规上工业企业，本批各县合计少于全省总量（只有部分县在本批，提示）
    假如省级规划 浙江省 2023 的目标:
      | 指标                         | 值   | 单位 | 比较 | 类型 | 期间 |
      | new_above_scale_enterprises | 2500 | 家   | 以上 | 基准 | 2023 |
    而且各县规划的目标:
      | 行政区 | 指标                         | 值  | 单位 | 比较 | 类型 | 期间 |
      | 慈溪市 | new_above_scale_enterprises | 60  | 家   | 以上 | 基准 | 2023 |
      | 余姚市 | new_above_scale_enterprises | 50  | 家   |      | 基准 | 2023 |
      | 桐庐县 | new_above_scale_enterprises | 20  | 家   |      | 力争 | 2023 |
      | 淳安县 | smart_factories             | 3   | 家   |      | 基准 | 2023 |
    当运行跨县对标检查
    那么应报告规则 decomposition_shortfall 严重性 info 指标 new_above_scale_enterprises
    而且该发现的上级值为 2500
    而且该发现的县级值为 60
    而且该发现引用的县级目标有 3 条
    而且该发现的消息包含 "合计130家"
    而且该发现的消息包含 "本批4个下级（共90个）中3个设定了该目标"
    而且不应报告规则 decomposition_unassigned 指标 new_above_scale_enterprises

  场景: 一个市的全部县合计少于市的总量（本批含全部下级，警告）
    假如市级规划 舟山市 2023 的目标:
      | 指标            | 值 | 单位 | 比较 | 类型 | 期间 |
      | smart_factories | 20 | 家   |      | 基准 | 2023 |
    而且各县规划的目标:
      | 行政区 | 指标            | 值 | 单位 | 比较 | 类型 | 期间 |
      | 定海区 | smart_factories | 5  | 家   |      | 基准 | 2023 |
      | 舟山市普陀区 | smart_factories | 4  | 家   |      | 基准 | 2023 |
      | 岱山县 | smart_factories | 3  | 家   |      | 基准 | 2023 |
      | 嵊泗县 | smart_factories | 2  | 家   |      | 基准 | 2023 |
    当运行跨县对标检查
    那么应报告规则 decomposition_shortfall 严重性 warning 指标 smart_factories
    而且该发现引用的县级目标有 4 条
    而且该发现的消息包含 "合计14家"

  场景大纲: 各县合计等于或超过总量时不报告
    假如市级规划 舟山市 2023 的目标:
      | 指标            | 值 | 单位 | 比较   | 类型 | 期间 |
      | smart_factories | 14 | 家   | <比较> | 基准 | 2023 |
    而且各县规划的目标:
      | 行政区 | 指标            | 值     | 单位 | 比较 | 类型 | 期间 |
      | 定海区 | smart_factories | <定海> | 家   |      | 基准 | 2023 |
      | 舟山市普陀区 | smart_factories | 4      | 家   |      | 基准 | 2023 |
      | 岱山县 | smart_factories | 3      | 家   |      | 基准 | 2023 |
      | 嵊泗县 | smart_factories | 2      | 家   |      | 基准 | 2023 |
    当运行跨县对标检查
    那么不应报告规则 decomposition_shortfall
    而且不应报告规则 decomposition_unassigned

    例子:
      | 比较 | 定海 |
      |      | 5    |
      |      | 9    |
      | 以上 | 5    |
      | 左右 | 6    |
      | 以内 | 1    |

  场景: 上级的增长率不是总量，不分解
    假如省级规划 浙江省 2023 的目标:
      | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 6  | %    | 左右 | 基准 | 2023 |
    而且各县规划的目标:
      | 行政区 | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | 慈溪市 | industrial_va_growth | 1  | %    |      | 基准 | 2023 |
    当运行跨县对标检查
    那么不应报告规则 decomposition_shortfall
    而且不应报告规则 decomposition_unassigned

  场景: “每个县”的要求不是总量，不分解
    假如省级规划 浙江省 2023 的原文:
      """
      每个县（市、区）新增规上工业企业20家以上。
      """
    而且各县规划的目标:
      | 行政区 | 指标                         | 值 | 单位 | 比较 | 类型 | 期间 |
      | 慈溪市 | new_above_scale_enterprises | 10 | 家   |      | 基准 | 2023 |
      | 余姚市 | smart_factories             | 3  | 家   |      | 基准 | 2023 |
    当运行跨县对标检查
    那么不应报告规则 decomposition_shortfall
    而且不应报告规则 decomposition_unassigned

  场景: 没有一个县设定该目标时提示无人承接
    假如省级规划 浙江省 2023 的目标:
      | 指标            | 值  | 单位 | 比较 | 类型 | 期间 |
      | smart_factories | 150 | 家   |      | 基准 | 2023 |
    而且各县规划的目标:
      | 行政区 | 指标                         | 值 | 单位 | 比较 | 类型 | 期间 |
      | 慈溪市 | new_above_scale_enterprises | 60 | 家   |      | 基准 | 2023 |
      | 余姚市 | new_above_scale_enterprises | 50 | 家   |      | 基准 | 2023 |
    当运行跨县对标检查
    那么应报告规则 decomposition_unassigned 严重性 info 指标 smart_factories
    而且该发现的消息包含 "本批2个下级规划均未设定该目标"
    而且不应报告规则 decomposition_shortfall 指标 smart_factories

  场景: 别省的县不是本省的下级
    假如省级规划 浙江省 2023 的目标:
      | 指标            | 值 | 单位 | 比较 | 类型 | 期间 |
      | smart_factories | 10 | 家   |      | 基准 | 2023 |
    而且各县规划的目标:
      | 行政区 | 指标            | 值 | 单位 | 比较 | 类型 | 期间 |
      | 慈溪市 | smart_factories | 4  | 家   |      | 基准 | 2023 |
      | 昆山市 | smart_factories | 30 | 家   |      | 基准 | 2023 |
    当运行跨县对标检查
    那么应报告规则 decomposition_shortfall 指标 smart_factories
    而且该发现引用的县级目标有 1 条
    而且该发现的消息包含 "本批1个下级（共90个）中1个设定了该目标，合计4家"

  场景: 不同期间的目标不相加
    假如省级规划 浙江省 2021-2025 的目标:
      | 指标            | 值  | 单位 | 比较 | 类型 | 期间 | 口径 |
      | smart_factories | 500 | 家   |      | 基准 | 2025 | 累计 |
    而且各县规划 2025 的目标:
      | 行政区 | 指标            | 值  | 单位 | 比较 | 类型 | 期间 | 口径 |
      | 慈溪市 | smart_factories | 40  | 家   |      | 基准 | 2025 | 累计 |
    而且各县规划 2023 的目标:
      | 行政区 | 指标            | 值  | 单位 | 比较 | 类型 | 期间 |
      | 余姚市 | smart_factories | 900 | 家   |      | 基准 | 2023 |
    当运行跨县对标检查
    那么应报告规则 decomposition_shortfall 指标 smart_factories
    而且该发现引用的县级目标有 1 条
    而且该发现的消息包含 "合计40家"

  场景: 单位不同的目标不相加
    假如省级规划 浙江省 2023 的目标:
      | 指标            | 值 | 单位 | 比较 | 类型 | 期间 |
      | smart_factories | 10 | 家   |      | 基准 | 2023 |
    而且各县规划的目标:
      | 行政区 | 指标            | 值 | 单位 | 比较 | 类型 | 期间 |
      | 慈溪市 | smart_factories | 4  | 家   |      | 基准 | 2023 |
      | 余姚市 | smart_factories | 20 | 个   |      | 基准 | 2023 |
    当运行跨县对标检查
    那么应报告规则 decomposition_shortfall 指标 smart_factories
    而且该发现的消息包含 "合计4家"

  场景: 本批有市级规划时，省的总量由各市分解，市的总量再由各县分解
    假如省级规划 浙江省 2023 的目标:
      | 指标            | 值  | 单位 | 比较 | 类型 | 期间 |
      | smart_factories | 150 | 家   |      | 基准 | 2023 |
    而且市级规划 宁波市 2023 的目标:
      | 指标            | 值 | 单位 | 比较 | 类型 | 期间 |
      | smart_factories | 30 | 家   |      | 基准 | 2023 |
    而且各县规划的目标:
      | 行政区 | 指标            | 值 | 单位 | 比较 | 类型 | 期间 |
      | 慈溪市 | smart_factories | 8  | 家   |      | 基准 | 2023 |
      | 余姚市 | smart_factories | 7  | 家   |      | 基准 | 2023 |
    当运行跨县对标检查
    那么规则 decomposition_shortfall 共报告 2 条
    而且应报告规则 decomposition_shortfall 且消息包含 "浙江省"
    而且该发现的消息包含 "本批1个下级（共11个）中1个设定了该目标，合计30家"
    而且应报告规则 decomposition_shortfall 且消息包含 "宁波市"
    而且该发现的消息包含 "本批2个下级（共10个）中2个设定了该目标，合计15家"
