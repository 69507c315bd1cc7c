"""The CloudFormation loader (templates in YAML or JSON, CDK `cdk.out/*.template.json`).

The loader interface lives in `template` and is re-exported here, so the scanner and the loader
list use `ptclint.loaders.cloudformation` as one loader: `name`, `detect`, `load`, and
`tag_handler` for the YAML short-form tags. `intrinsics` resolves parameters, conditions and
`Ref`; `functions` holds the `Fn::*` handlers; `values` the markers and helpers they share.
"""

from __future__ import annotations

from ptclint.loaders.cloudformation.template import detect, load, name, tag_handler

__all__ = ["name", "detect", "load", "tag_handler"]
