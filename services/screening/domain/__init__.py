"""Screening's domain: the call's criteria (征集标准) as rules, and the state they give an entry.

Pure: standard library only, no I/O. `entry` is what the rules read, `rules` the rule type,
`checks` what each rule asks of the data, `rulesets` the four categories' tables (one row per
clause of the notice's section 二), `screening` the findings and the entry's state.
"""
