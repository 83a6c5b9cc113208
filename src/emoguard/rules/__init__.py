"""Rules as data: YAML files under ``rules/<area>/`` compiled at load (DESIGN 3.2)."""

from emoguard.rules.loader import Rule, RuleLoadError, RuleSet, builtin_rules_dir, load_rules

__all__ = ["Rule", "RuleLoadError", "RuleSet", "builtin_rules_dir", "load_rules"]
