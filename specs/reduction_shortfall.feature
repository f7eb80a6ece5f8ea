# language: zh-CN
功能: 上级要求下降，县级降幅更小或未设（规则 reduction_shortfall）
  能耗等下降类约束性指标:县级降幅不得小于上级，也不能不设。

  场景: 县级能耗降幅小于上级
    假如上级规划 浙江省 2023 的目标:
      | 指标                         | 值 | 单位 | 比较 | 类型 | 期间 |
      | energy_intensity_reduction | 3  | %    | 以上 | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                         | 值 | 单位 | 比较 | 类型 | 期间 |
      | energy_intensity_reduction | 2  | %    |      | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 reduction_shortfall 严重性 error 指标 energy_intensity_reduction
    而且该发现的县级值为 2
    而且该发现的上级值为 3
    而且不应报告规则 weaker_than_parent

  场景: 县级没有设能耗下降目标
    假如上级规划 浙江省 2023 的原文:
      """
      单位工业增加值能耗下降3%以上。
      """
    而且县级规划 慈溪市 2023 的目标:
      | 指标                 | 值 | 单位 | 比较 | 类型 | 期间 |
      | industrial_va_growth | 6  | %    |      | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 reduction_shortfall 严重性 error 指标 energy_intensity_reduction
    而且该发现的消息包含 "未设该指标的下降目标"
    而且不应报告规则 headline_gap

  场景: 上级只有力争降幅时降为警告
    假如上级规划 浙江省 2023 的目标:
      | 指标                         | 值 | 单位 | 比较 | 类型 | 期间 |
      | energy_intensity_reduction | 3  | %    |      | 力争 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                         | 值 | 单位 | 比较 | 类型 | 期间 |
      | energy_intensity_reduction | 2  | %    |      | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 reduction_shortfall 严重性 warning 指标 energy_intensity_reduction

  场景: 县级降幅不小于上级时不报告
    假如上级规划 浙江省 2023 的目标:
      | 指标                         | 值 | 单位 | 比较 | 类型 | 期间 |
      | energy_intensity_reduction | 3  | %    |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                         | 值 | 单位 | 比较 | 类型 | 期间 |
      | energy_intensity_reduction | 3  | %    | 左右 | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 reduction_shortfall
    而且应报告规则 aligned_with_parent 指标 energy_intensity_reduction
