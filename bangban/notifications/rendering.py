"""Message templates: Django's template language, restricted.

Administrators edit the text; what they write is checked before it is saved:

- only text, ``{{ variable }}``, ``{% if %}`` and ``{% for %}`` (no ``load``, ``include``,
  ``url`` or any other tag);
- only the variables listed for that template (and the loop's own variables);
- only a few harmless filters (``FILTERS``).

Rendering uses a private engine with no loaders and no libraries, over a context of plain
values (strings, numbers, booleans, lists of strings) built by the code that enqueues the
message — never a model object — so a template cannot reach anything else.
"""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, TextNode, Variable, VariableNode
from django.template.defaulttags import ForNode, IfNode

FILTERS = frozenset({"join", "default", "length", "yesno", "truncatechars", "add"})
LOOP_VARIABLES = frozenset({"forloop"})


@cache
def engine() -> Engine:
    # No dirs, no app templates, no libraries: {% include %} and {% load %} find nothing.
    return Engine(dirs=[], app_dirs=False, libraries={}, autoescape=False, string_if_invalid="")


class TemplateProblem(ValueError):
    pass


def validate(text: str, allowed: dict[str, str] | set[str]) -> None:
    """Raise ``ValidationError`` (in Chinese) unless ``text`` is a template we allow."""
    try:
        template = engine().from_string(text)
        _check_nodes(template.nodelist, set(allowed))
    except TemplateSyntaxError as error:
        raise ValidationError(f"模板语法错误：{error}") from error
    except TemplateProblem as problem:
        names = "、".join(sorted(allowed)) or "（无）"
        raise ValidationError(f"{problem}。可用的变量：{names}") from problem


def render(text: str, context: dict) -> str:
    return engine().from_string(text).render(Context(context, autoescape=False)).strip()


def _check_nodes(nodelist, allowed: set[str]) -> None:
    for node in nodelist:
        if isinstance(node, TextNode):
            continue
        if isinstance(node, VariableNode):
            _check_expression(node.filter_expression, allowed)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                if condition is not None:
                    _check_condition(condition, allowed)
                _check_nodes(branch, allowed)
        elif isinstance(node, ForNode):
            _check_expression(node.sequence, allowed)
            inner = allowed | set(node.loopvars) | LOOP_VARIABLES
            _check_nodes(node.nodelist_loop, inner)
            _check_nodes(node.nodelist_empty, allowed)
        else:
            raise TemplateProblem(f"模板中只能使用变量、if 和 for，不能使用“{node.token.contents}”")


def _check_condition(condition, allowed: set[str]) -> None:
    """An {% if %} condition: a tree of operators over literals (FilterExpressions)."""
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        _check_expression(value, allowed)
    for part in ("first", "second"):
        child = getattr(condition, part, None)
        if child is not None:
            _check_condition(child, allowed)


def _check_variable(variable, allowed: set[str]) -> None:
    if isinstance(variable, Variable) and variable.lookups:
        name = variable.lookups[0]
        if name not in allowed:
            raise TemplateProblem(f"变量“{variable.var}”不可用")


def _check_expression(expression: FilterExpression, allowed: set[str]) -> None:
    _check_variable(expression.var, allowed)
    for function, arguments in expression.filters:
        name = getattr(function, "_filter_name", function.__name__)
        if name not in FILTERS:
            raise TemplateProblem(f"过滤器“{name}”不可用（可用：{'、'.join(sorted(FILTERS))}）")
        for is_lookup, argument in arguments:
            if is_lookup:
                _check_variable(argument, allowed)
