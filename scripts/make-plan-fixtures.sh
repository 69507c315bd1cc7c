#!/usr/bin/env bash
# Regenerate the Terraform plan JSON fixtures from their configurations, offline.
#
# For each configuration directory tests/fixtures/terraform/<name>/ (those holding *.tf files;
# tests/fixtures/terraform/hcl-only/ is for HCL-only fixtures and is skipped), this runs
#   terraform init; terraform plan -out; terraform show -json  ->  <name>/plan.json
# with a CLI configuration that installs hashicorp/aws from a local filesystem mirror
# (default /opt/tf-plugins; override with TF_PLUGIN_MIRROR) and fake credentials. The fixture
# configurations set the provider's skip_* flags, so no AWS endpoint is called; they avoid data
# sources that would call AWS (aws_caller_identity, ...).
#
# Usage: scripts/make-plan-fixtures.sh [NAME ...]     (default: every fixture)
# Needs: terraform >= 1.5 on PATH. The .terraform/ directories, lock files and binary plans
# are left out of version control by tests/fixtures/terraform/.gitignore.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixtures="$here/tests/fixtures/terraform"
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"

command -v terraform >/dev/null || { echo "make-plan-fixtures: terraform is not on PATH" >&2; exit 2; }
[ -d "$mirror" ] || { echo "make-plan-fixtures: no provider mirror at $mirror" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/terraformrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
CFG

export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SESSION_TOKEN=test
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE || true

if [ "$#" -gt 0 ]; then
  names=("$@")
else
  names=()
  for d in "$fixtures"/*/; do
    name="$(basename "$d")"
    [ "$name" = "hcl-only" ] && continue
    compgen -G "$d*.tf" >/dev/null && names+=("$name")
  done
fi

for name in "${names[@]}"; do
  dir="$fixtures/$name"
  [ -d "$dir" ] || { echo "make-plan-fixtures: no fixture $name" >&2; exit 2; }
  echo "== $name"
  (
    cd "$dir"
    terraform init -no-color -backend=false >"$work/$name.init.log" 2>&1 \
      || { cat "$work/$name.init.log" >&2; exit 1; }
    terraform plan -no-color -refresh=false -lock=false -out="$work/$name.tfplan" >"$work/$name.plan.log" 2>&1 \
      || { cat "$work/$name.plan.log" >&2; exit 1; }
    terraform show -no-color -json "$work/$name.tfplan" | python3 -m json.tool --indent 1 >plan.json.tmp
    mv plan.json.tmp plan.json
    rm -rf .terraform .terraform.lock.hcl
  )
  echo "   wrote ${dir#"$here"/}/plan.json"
done
