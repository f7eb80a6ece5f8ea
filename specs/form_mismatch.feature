# language: zh-CN
功能: 同一指标口径不同，不可直接比较（规则 form_mismatch）
  同一概念以不同口径设目标（增长率、占比、水平值），或同一指标单位不同时，
  两个目标并列展示，不比较高低。

  场景: 数字经济核心产业上级用增长率、县级用占GDP比重
    假如上级规划 浙江省 2023 的目标:
      | 指标                   | 值 | 单位 | 比较 | 类型 | 期间 |
      | digital_core_va_growth | 10 | %    |      | 力争 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                      | 值 | 单位 | 比较 | 类型 | 期间 |
      | digital_core_va_share_gdp | 10 | %    | 以上 | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 form_mismatch 严重性 info 指标 digital_core_va_growth
    而且该发现的县级值为 10
    而且该发现的上级值为 10
    而且该发现的消息包含 "以增长率设目标"
    而且该发现的消息包含 "以占比设目标"
    而且不应报告规则 weaker_than_parent
    而且不应报告规则 aligned_with_parent

  场景: 亩均税收上级是水平值、县级是增长率
    假如上级规划 浙江省 2023 的目标:
      | 指标        | 值 | 单位     | 比较 | 类型 | 期间 |
      | tax_per_mu | 37 | 万元/亩 |      | 力争 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标               | 值 | 单位 | 比较 | 类型 | 期间 |
      | tax_per_mu_growth | 6  | %    | 以上 | 力争 | 2023 |
    当运行对标检查
    那么应报告规则 form_mismatch 指标 tax_per_mu
    而且该发现的消息包含 "以水平值设目标"

  场景: 同一指标单位不同时不比较，只提示
    假如上级规划 浙江省 2023 的目标:
      | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 6  | %    |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                 | 值 | 单位     | 比较 | 类型 | 期间 |
      | industrial_va_growth | 1  | 个百分点 |      | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 form_mismatch 指标 industrial_va_growth
    而且该发现的消息包含 "单位不同"
    而且不应报告规则 weaker_than_parent

  场景: 县级也有上级那种口径的目标时不报告口径不同
    假如上级规划 浙江省 2023 的目标:
      | 指标                   | 值 | 单位 | 比较 | 类型 | 期间 |
      | digital_core_va_growth | 10 | %    |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                      | 值 | 单位 | 比较 | 类型 | 期间 |
      | digital_core_va_growth    | 12 | %    |      | 基准 | 2023 |
      | digital_core_va_share_gdp | 10 | %    |      | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 form_mismatch
    而且应报告规则 aligned_with_parent 指标 digital_core_va_growth

  场景: 期间不同的口径差异不报告
    假如上级规划 浙江省 2021-2025 的目标:
      | 指标        | 值 | 单位     | 比较 | 类型 | 期间 |
      | tax_per_mu | 37 | 万元/亩 |      | 基准 | 2025 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标               | 值 | 单位 | 比较 | 类型 | 期间 |
      | tax_per_mu_growth | 6  | %    |      | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 form_mismatch

  场景: 上级同一规划同期也以县级的口径设了增长率时，总量口径不再提示
    假如上级规划 浙江省 2023 的目标:
      | 指标                            | 值    | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 12    | %    |      | 基准 | 2023 |
      | manufacturing_investment        | 16000 | 亿元 |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                            | 值 | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 10 | %    |      | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 form_mismatch
    而且应报告规则 weaker_than_parent 指标 manufacturing_investment_growth
