"""The rule specs as the package ``planalign_rules.specs`` (setup.py maps that name onto this folder).

Not code: this file only lets the .feature files ship inside planalign's wheel, beside the rule
pack they specify (the pack refuses a rule no scenario mentions, and ``planalign rules test``
runs them). ``rulesengine.ruledata`` finds them through importlib.resources.
"""
