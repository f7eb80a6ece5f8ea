# language: zh-CN
功能: 同一规划对同一指标给出不同数值（规则 inconsistent_values）
  同一指标、同一期间、同为基准（或同为力争）只应有一个数值。同一数值重复出现不算冲突。

  场景: 县级对同一指标写了两个不同的基准数值
    假如上级规划 浙江省 2023 的目标:
      | 指标             | 值  | 单位 | 比较 | 类型 | 期间 |
      | green_factories | 100 | 家   |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标             | 值 | 单位 | 比较 | 类型 | 期间 |
      | green_factories | 3  | 家   |      | 基准 | 2023 |
      | green_factories | 5  | 家   |      | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 inconsistent_values 严重性 warning 指标 green_factories
    而且该发现的县级值为 3
    而且该发现的县级值为 5
    而且规则 inconsistent_values 共报告 1 条

  场景: 上级规划自身的两个数值属于上级规划，不在县级检查中报告
    假如上级规划 浙江省 2023 的目标:
      | 指标                      | 值  | 单位 | 比较 | 类型 | 期间 |
      | enterprise_tech_centers | 100 | 家   | 左右 | 基准 | 2023 |
      | enterprise_tech_centers | 3   | 家   | 以上 | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 6  | %    |      | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 inconsistent_values

  场景: 同一数值重复出现不算冲突
    假如上级规划 浙江省 2023 的目标:
      | 指标                            | 值 | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 12 | %    |      | 基准 | 2023 |
      | manufacturing_investment_growth | 12 | %    |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                            | 值 | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 12 | %    |      | 基准 | 2023 |
      | manufacturing_investment_growth | 12 | %    | 以上 | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 inconsistent_values

  场景: 基准与力争数值不同是正常写法
    假如上级规划 浙江省 2023 的目标:
      | 指标                 | 值  | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 5.5 | %    |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 6  | %    |      | 基准 | 2023 |
      | industrial_va_growth | 10 | %    |      | 力争 | 2023 |
    当运行对标检查
    那么不应报告规则 inconsistent_values
