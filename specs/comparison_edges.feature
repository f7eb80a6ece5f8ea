# language: zh-CN
功能: 比较的边界:相等、左右、只有力争、单位不同、区间
  规则 weaker_than_parent 与 aligned_with_parent 的分界；单位不同时两者都不报告，
  由 form_mismatch 提示。“左右”按数值本身比较:数值相等即视为达到。区间目标以下限比较。

  场景大纲: 县级 <县级值><县级单位><县级比较>（<县级类型>）对照上级 <上级值>%<上级比较>（<上级类型>）
    假如上级规划 浙江省 2023 的目标:
      | 指标                            | 值       | 单位 | 比较       | 类型       | 期间 |
      | manufacturing_investment_growth | <上级值> | %    | <上级比较> | <上级类型> | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                            | 值       | 上限       | 单位       | 比较       | 类型       | 期间 |
      | manufacturing_investment_growth | <县级值> | <县级上限> | <县级单位> | <县级比较> | <县级类型> | 2023 |
    当运行对标检查
    那么应报告规则 <应报告> 指标 manufacturing_investment_growth
    而且不应报告规则 <不应报告>
    而且不应报告规则 <也不应报告>

    例子:
      | 上级值 | 上级比较 | 上级类型 | 县级值 | 县级上限 | 县级单位 | 县级比较 | 县级类型 | 应报告              | 不应报告           | 也不应报告     |
      | 12     |          | 基准     | 12     |          | %        |          | 基准     | aligned_with_parent | weaker_than_parent | form_mismatch  |
      | 12     | 以上     | 基准     | 12     |          | %        | 左右     | 基准     | aligned_with_parent | weaker_than_parent | form_mismatch  |
      | 12     | 左右     | 基准     | 12     |          | %        |          | 基准     | aligned_with_parent | weaker_than_parent | form_mismatch  |
      | 12     | 左右     | 基准     | 11.9   |          | %        | 左右     | 基准     | weaker_than_parent  | aligned_with_parent | form_mismatch |
      | 12     |          | 力争     | 12     |          | %        |          | 基准     | aligned_with_parent | weaker_than_parent | period_mismatch |
      | 12     |          | 力争     | 11     |          | %        |          | 基准     | weaker_than_parent  | aligned_with_parent | period_mismatch |
      | 12     |          | 基准     | 11     | 13       | %        |          | 基准     | weaker_than_parent  | aligned_with_parent | form_mismatch |
      | 12     |          | 基准     | 13     |          | 个百分点 |          | 基准     | form_mismatch       | weaker_than_parent | aligned_with_parent |
      | 12     |          | 基准     | 10     |          | 个百分点 |          | 基准     | form_mismatch       | weaker_than_parent | aligned_with_parent |
