"""ptclint: a policy linter for Amazon ECR pull through cache rules and repository creation templates."""

__version__ = "0.1.0"
INFORMATION_URI = "https://github.com/ptclint/ptclint"
