"""Policy as data: rule files with sources, one evaluator for one enterprise, one for a million.

ruleset = load_ruleset()                       # the packaged rules, validated
result = evaluate(ruleset, rows, as_of)        # one enterprise: verdicts and reasons
frame = evaluate_frame(ruleset, facts, as_of)  # many enterprises (polars): the same verdicts
"""
