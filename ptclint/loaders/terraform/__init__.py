"""Terraform input: `.tf` module directories (`config`) and `terraform show -json` output (`plan`).

Both loaders reduce what they read to `objects.TfObject`s and hand them to
`mapping.build_registries`, so one configuration gives the same model, and the same findings,
from either input. Modules, lowest layer first (each imports only those above it):

    values       Terraform values: sets, lazy objects, TfError, conversions, equality, jsonencode
    hcl          HCL text -> blocks and attributes with positions; parse-tree access; template text
    scope        Env (names where an expression is evaluated), namespaces, scopes with no names
    functions    the pure built-in functions
    operators    binary operators, `for` expressions, string templates
    expr         the Evaluator
    objects      TfObject, the modelled types and arguments, providers, ARNs, secret-value reduction
    literals     is a token written as a literal? (syntax only)
    variables    root variable values (tfvars, --var) and conversion to declared types
    modules      Reader, ModuleDef (one directory's blocks), Unit (one load)
    resources    ResourceInstance, policy documents
    instances    ModuleInstance: variables, locals, for_each / count, module calls, providers
    iam_mapping  roles and IAM policies -> the model
    mapping      build_registries: rules, templates, registry policy, secrets
    config       the .tf directory loader (name, detect, load) and scan's helpers
    plan_config  a plan's link to its configuration: providers, references, .tf positions
    plan         the plan / state JSON loader (name, detect, load)
"""
