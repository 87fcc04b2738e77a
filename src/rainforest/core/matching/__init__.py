"""Matching: Chinese text normalisation and tokens, lexical and dense indexes, hybrid ranking.

Pure Python (no Django). The platform, the `rainforest match` command and the benchmark all
call :class:`rainforest.core.matching.index.MatchIndex`.
"""
