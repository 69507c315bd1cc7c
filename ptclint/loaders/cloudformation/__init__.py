"""The CloudFormation loader (templates in YAML or JSON, CDK `cdk.out/*.template.json`).

`template` is the loader (`LOADERS` names it); `intrinsics` resolves parameters, conditions and
`Ref`; `functions` holds the `Fn::*` handlers; `values` the markers and helpers they share.
"""
