"""Terraform input: `.tf` module directories (`config`) and `terraform show -json` output (`plan`).

Both loaders reduce what they read to `TfObject`s and hand them to `mapping.build_registries`,
so one configuration gives the same model, and the same findings, from either input.
"""
