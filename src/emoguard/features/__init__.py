"""Feature extractors. Importing this package registers every built-in feature."""

from emoguard.features import attachments, body, files, headers, identity, lures, subject, urls  # noqa: F401
from emoguard.features.registry import REGISTRY, Features, FeatureSpec, feature

__all__ = ["REGISTRY", "FeatureSpec", "Features", "feature"]
