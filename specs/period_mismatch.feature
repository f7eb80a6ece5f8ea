# language: zh-CN
功能: 目标期间不同，不作比较（规则 period_mismatch）
  2025年的目标不能当作2023年的目标比较。多年累计的上级目标给出进度参考。

  场景: 上级2025年的增速目标不与县级2023年目标比较
    假如上级规划 浙江省 2021-2025 的目标:
      | 指标                            | 值 | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 12 | %    |      | 基准 | 2025 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                            | 值 | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 10 | %    |      | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 period_mismatch 严重性 info 指标 manufacturing_investment_growth
    而且该发现的消息包含 "期间不同，不作比较"
    而且不应报告规则 weaker_than_parent
    而且不应报告规则 aligned_with_parent

  场景: 多年累计的上级目标给出进度参考
    假如上级规划 浙江省 2021-2025 的目标:
      | 指标                  | 值  | 单位 | 比较 | 类型 | 期间 | 口径 |
      | new_single_champions | 200 | 家   |      | 基准 | 2025 | 累计 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                  | 值 | 单位 | 比较 | 类型 | 期间 |
      | new_single_champions | 2  | 家   |      | 力争 | 2023 |
    当运行对标检查
    那么应报告规则 period_mismatch 严重性 info 指标 new_single_champions
    而且该发现的消息包含 "年均约40家"
    而且该发现的消息包含 "仅供进度参考"
    而且不应报告规则 count_exceeds_parent

  场景: 同一期间的目标照常比较，不报告期间不同
    假如上级规划 浙江省 2023 的目标:
      | 指标                            | 值 | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 12 | %    |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                            | 值 | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 10 | %    |      | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 period_mismatch
    而且应报告规则 weaker_than_parent 指标 manufacturing_investment_growth

  场景: 上级同一规划已有县级同期的目标时不再提示期间不同
    假如上级规划 浙江省 2021-2025 的目标:
      | 指标             | 值  | 单位 | 比较 | 类型 | 期间 |
      | green_factories | 500 | 家   |      | 基准 | 2025 |
      | green_factories | 100 | 家   |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标             | 值 | 单位 | 比较 | 类型 | 期间 |
      | green_factories | 3  | 家   |      | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 period_mismatch
