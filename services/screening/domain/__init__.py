"""Screening's domain: the call's criteria (征集标准) as rules, the state they give an entry,
and what screening keeps of an entry and staff's decisions on it.

Pure: no I/O; besides the standard library it reads only the shared vocabulary, the
materials fold and the entry-field upcast (`shared.catalog`), division codes
(`shared.regions`) and the deadline's comparison (`shared.calls.past`), and raises
`shared.errors.Refused`. `entry` is what the rules read, `rules` the rule type, `checks` what
each rule asks of the data, `rulesets` the four categories' tables (one row per clause of the
notice), `evidence` which materials count at the close (by media's own times), `screening` the
findings and the entry's state, `tracked` what screening knows of an entry and how intake's
and media's events fold into it, `decisions` staff's review and the city's selection and
their lapse, `recommendations` the city's recommendation to the province (推荐省级).
"""
