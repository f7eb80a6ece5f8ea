"""The rules data as the package ``planalign_rules`` (setup.py maps that name onto this folder).

Not code: this file only lets the folder ship inside planalign's wheel, where
``rulesengine.ruledata`` finds it through importlib.resources. The data is the YAML beside it.
"""
