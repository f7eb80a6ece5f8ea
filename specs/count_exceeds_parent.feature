# language: zh-CN
功能: 县级数量目标超过上级同期总量（规则 count_exceeds_parent）
  县级的数量是上级总量的一部分。上级写确数、“左右”或“以内”时，县级数量大于上级总量即为冲突；
  上级写“以上”（下限）时不报告。

  场景: 县级“小升规”数量大于全省总量
    假如上级规划 浙江省 2023 的目标:
      | 指标                         | 值   | 单位 | 比较 | 类型 | 期间 |
      | new_above_scale_enterprises | 2500 | 家   |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                         | 值   | 单位 | 比较 | 类型 | 期间 |
      | new_above_scale_enterprises | 3000 | 家   | 以上 | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 count_exceeds_parent 严重性 error 指标 new_above_scale_enterprises
    而且该发现的县级值为 3000
    而且该发现的上级值为 2500

  场景: 上级数量是下限（以上）时县级多于它不算冲突
    假如上级规划 浙江省 2023 的目标:
      | 指标                                | 值   | 单位 | 比较 | 类型 | 期间 |
      | inefficient_enterprises_rectified | 5000 | 家   | 以上 | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                                | 值   | 单位 | 比较 | 类型 | 期间 |
      | inefficient_enterprises_rectified | 6000 | 家   |      | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 count_exceeds_parent

  场景: 县级数量小于上级总量时不报告
    假如上级规划 浙江省 2023 的目标:
      | 指标                         | 值   | 单位 | 比较 | 类型 | 期间 |
      | new_above_scale_enterprises | 2500 | 家   |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                         | 值  | 单位 | 比较 | 类型 | 期间 |
      | new_above_scale_enterprises | 100 | 家   | 以上 | 力争 | 2023 |
    当运行对标检查
    那么不应报告规则 count_exceeds_parent

  场景: 单位不同的数量不比较
    假如上级规划 浙江省 2023 的目标:
      | 指标             | 值  | 单位 | 比较 | 类型 | 期间 |
      | smart_factories | 150 | 家   |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标             | 值  | 单位 | 比较 | 类型 | 期间 |
      | smart_factories | 200 | 个   |      | 基准 | 2023 |
    当运行对标检查
    那么不应报告规则 count_exceeds_parent
