"""Feature extractors. Importing this package registers every built-in feature."""

from emoguard.features import (  # noqa: F401
    attachments,
    body,
    files,
    headers,
    identity,
    lures,
    nested,
    subject,
    urls,
)
from emoguard.features.registry import REGISTRY, Features, FeatureSpec, feature

__all__ = ["REGISTRY", "FeatureSpec", "Features", "feature"]
