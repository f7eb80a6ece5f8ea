# language: zh-CN
功能: 县级目标达到或高于上级同期目标（规则 aligned_with_parent）
  县级达到上级要求的指标也报告（提示级），让覆盖情况一目了然。

  场景: 县级基准目标达到上级仅有的力争目标
    假如上级规划 浙江省 2023 的目标:
      | 指标                 | 值  | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 5.5 | %    |      | 力争 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 6  | %    |      | 基准 | 2023 |
      | industrial_va_growth | 10 | %    |      | 力争 | 2023 |
    当运行对标检查
    那么应报告规则 aligned_with_parent 严重性 info 指标 industrial_va_growth
    而且该发现的县级值为 6
    而且该发现的上级值为 5.5
    而且该发现的消息包含 "上级仅有力争目标"
    而且规则 aligned_with_parent 共报告 1 条
    而且不应报告规则 weaker_than_parent

  场景: 县级降幅大于上级要求的降幅也算达到
    假如上级规划 浙江省 2023 的目标:
      | 指标                         | 值 | 单位 | 比较 | 类型 | 期间 |
      | energy_intensity_reduction | 3  | %    | 以上 | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                         | 值 | 单位 | 比较 | 类型 | 期间 |
      | energy_intensity_reduction | 4  | %    |      | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 aligned_with_parent 严重性 info 指标 energy_intensity_reduction
    而且不应报告规则 reduction_shortfall

  场景: 县级低于上级时不报告达到
    假如上级规划 浙江省 2023 的目标:
      | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 7  | %    |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 6  | %    |      | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 aligned_with_parent

  场景: 期间不同的目标不算达到
    假如上级规划 浙江省 2021-2025 的目标:
      | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 5  | %    |      | 基准 | 2025 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 6  | %    |      | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 aligned_with_parent
