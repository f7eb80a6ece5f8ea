# language: zh-CN
功能: 慈溪2023对照浙江2023（及2021-2025）的真实文件
  项目的基准案例:examples/plans 中的原文经抽取后对标，结果必须包含以下发现。
  涉及规则:weaker_than_parent aligned_with_parent form_mismatch headline_gap specialized_family_gap period_mismatch

  背景:
    假如县级规划为语料 cixi-2023-jingxin-gongzuo-silu.txt
    而且上级规划为语料 zhejiang-2023-jingxin-gongzuo-yaodian.txt

  场景: 制造业投资增长基准10%低于浙江12%，并注明慈溪力争38%
    当运行对标检查
    那么应报告规则 weaker_than_parent 严重性 warning 指标 manufacturing_investment_growth
    而且该发现的县级值为 10
    而且该发现的上级值为 12
    而且该发现的县级值为 38
    而且该发现的消息包含 "力争目标38%"
    而且该发现引用的原文包含 "制造业投资增长12%"

  场景: 数字经济核心产业慈溪用占GDP比重、浙江用增长率，不作比较
    当运行对标检查
    那么应报告规则 form_mismatch 严重性 info 指标 digital_core_va_growth
    而且该发现的消息包含 "以增长率设目标"
    而且该发现的消息包含 "以占比设目标"
    而且该发现引用的原文包含 "占GDP比重"

  场景: 亩均税收浙江是水平值、慈溪是增长率
    当运行对标检查
    那么应报告规则 form_mismatch 指标 tax_per_mu
    而且该发现的上级值为 37
    而且该发现的县级值为 6
    而且该发现的消息包含 "以水平值设目标"
    而且该发现的消息包含 "以增长率设目标"

  场景: 慈溪没有全员劳动生产率和技术改造投资增长目标
    当运行对标检查
    那么应报告规则 headline_gap 严重性 warning 指标 labor_productivity
    而且该发现的上级值为 30
    而且应报告规则 headline_gap 严重性 warning 指标 tech_renovation_investment_growth
    而且该发现的上级值为 10

  场景: 规上工业增加值慈溪6%达到浙江5.5%
    当运行对标检查
    那么应报告规则 aligned_with_parent 严重性 info 指标 industrial_va_growth
    而且该发现的县级值为 6
    而且该发现的上级值为 5.5
    而且不应报告规则 weaker_than_parent 指标 industrial_va_growth

  场景大纲: 慈溪已有的 <指标名> 不报告为缺失
    当运行对标检查
    那么不应报告指标 <指标> 的缺口
    而且不应报告规则 specialized_family_gap

    例子:
      | 指标名       | 指标                 |
      | 专精特新     | new_specialized_smes |
      | 专精特新小巨人 | new_little_giants  |
      | 单项冠军     | new_single_champions |
      | 未来工厂     | future_factories     |
      | 绿色工厂     | green_factories      |

  场景: 加上浙江2021-2025方案后，多年累计目标给出进度参考而不作比较
    假如上级规划为语料 zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt
    当运行对标检查
    那么应报告规则 period_mismatch 严重性 info 指标 new_single_champions
    而且该发现的消息包含 "仅供进度参考"
    而且应报告规则 weaker_than_parent 严重性 warning 指标 manufacturing_investment_growth
    而且不应报告规则 count_exceeds_parent
