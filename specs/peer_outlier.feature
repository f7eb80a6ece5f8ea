# language: zh-CN
功能: 县级增速目标明显低于同省各县（规则 peer_outlier）
  同省各县（市、区）同一指标、同一期间的基准增长目标放在一起：至少5个县时，低于
  第一四分位数减1.5倍四分位距（Tukey 下界）的县提示，写明中位数和县数。

  场景: 一个县远低于同省各县
    假如各县规划 2023 的目标:
      | 行政区 | 指标                 | 值  | 单位 | 比较 | 类型 | 期间 |
      | 慈溪市 | industrial_va_growth | 3   | %    |      | 基准 | 2023 |
      | 余姚市 | industrial_va_growth | 8   | %    |      | 基准 | 2023 |
      | 象山县 | industrial_va_growth | 8.5 | %    |      | 基准 | 2023 |
      | 宁海县 | industrial_va_growth | 9   | %    |      | 基准 | 2023 |
      | 桐庐县 | industrial_va_growth | 9.5 | %    |      | 基准 | 2023 |
      | 淳安县 | industrial_va_growth | 10  | %    |      | 基准 | 2023 |
    当运行跨县对标检查
    那么规则 peer_outlier 共报告 1 条
    而且应报告规则 peer_outlier 严重性 info 指标 industrial_va_growth
    而且该发现的县级值为 3
    而且该发现引用的原文包含 "3%"
    而且该发现的消息包含 "慈溪市"
    而且该发现的消息包含 "浙江省6个县（市、区）的同期目标（中位数8.75%"
    而且该发现的消息包含 "排第1位"

  场景大纲: 不够远、县数不足、别省的县或不同期间时不报告
    假如各县规划 2023 的目标:
      | 行政区   | 指标                 | 值     | 单位 | 比较 | 类型 | 期间     |
      | 慈溪市   | industrial_va_growth | <慈溪> | %    |      | 基准 | 2023     |
      | 余姚市   | industrial_va_growth | 8      | %    |      | 基准 | 2023     |
      | 象山县   | industrial_va_growth | 8.5    | %    |      | 基准 | 2023     |
      | 宁海县   | industrial_va_growth | 9      | %    |      | 基准 | 2023     |
      | <第五县> | industrial_va_growth | 9.5    | %    |      | 基准 | <五期间> |
      | <第六县> | industrial_va_growth | 10     | %    |      | 基准 | 2023     |
    当运行跨县对标检查
    那么不应报告规则 peer_outlier

    例子:
      | 慈溪 | 第五县 | 五期间 | 第六县 |
      | 7    | 桐庐县 | 2023   | 淳安县 |
      | 3    | 昆山市 | 2023   | 江阴市 |
      | 3    | 桐庐县 | 2024   | 江阴市 |

  场景: 力争目标不与基准目标比较
    假如各县规划 2023 的目标:
      | 行政区 | 指标                 | 值  | 单位 | 比较 | 类型 | 期间 |
      | 慈溪市 | industrial_va_growth | 3   | %    |      | 力争 | 2023 |
      | 余姚市 | industrial_va_growth | 8   | %    |      | 基准 | 2023 |
      | 象山县 | industrial_va_growth | 8.5 | %    |      | 基准 | 2023 |
      | 宁海县 | industrial_va_growth | 9   | %    |      | 基准 | 2023 |
      | 桐庐县 | industrial_va_growth | 9.5 | %    |      | 基准 | 2023 |
      | 淳安县 | industrial_va_growth | 10  | %    |      | 基准 | 2023 |
    当运行跨县对标检查
    那么不应报告规则 peer_outlier
