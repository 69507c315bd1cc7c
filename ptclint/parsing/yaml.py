"""YAML with positions: PyYAML events -> a node graph (limits checked while composing) -> plain values.

PyYAML is read at the event level (libyaml when available) and the node graph is composed here, so
that depth (MAX_DEPTH) and alias expansion (MAX_YAML_NODES) are checked *while* composing, before
anything is materialised. Plain values are then built from the graph, recording the position of
every value and key. Scalars resolve to bool/int/float/null with PyYAML's safe (YAML 1.1) resolver;
everything else, timestamps included, stays a string. Non-standard tags go to the caller's
`tag_handler` (CloudFormation's `!Ref` ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from ptclint.errors import InputError
from ptclint.parsing.document import (
    ECHO_LIMIT,
    MAX_DEPTH,
    SURROGATE_RE,
    Document,
    Position,
    line_col,
    normalise,
    quote,
)

#: Most values a YAML document may expand to once aliases are followed ("billion laughs" guard).
#: Checked only for documents that use aliases: without aliases the file-size limit bounds the work.
MAX_YAML_NODES = 1_000_000

_Loader = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader

_Y = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = _Y + "str", _Y + "int", _Y + "float", _Y + "bool", _Y + "null"
_SEQ, _MAP, _SET = _Y + "seq", _Y + "map", _Y + "set"
_MERGE = _Y + "merge"
_STRING_TAGS = frozenset((_STR, _Y + "timestamp", _MERGE, _Y + "value", _Y + "yaml"))  # stay strings
_KIND_NAMES = {"str": "scalar", "int": "scalar", "float": "scalar", "bool": "scalar", "null": "scalar",
               "timestamp": "scalar", "seq": "sequence", "map": "mapping", "set": "mapping"}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCT = {
    _INT: ("an integer", _CONSTRUCTOR.construct_yaml_int),
    _FLOAT: ("a float", _CONSTRUCTOR.construct_yaml_float),
    _BOOL: ("a boolean", _CONSTRUCTOR.construct_yaml_bool),
    _NULL: ("null", _CONSTRUCTOR.construct_yaml_null),
}

_SCALAR, _SEQUENCE, _MAPPING, _ALIAS = 0, 1, 2, 3


class _Node:
    """One composed YAML node. `value`: the built scalar (or the raw text when `custom` is set),
    a list of child nodes (mappings: k0, v0, k1, v1, ...), or for an alias the target node."""

    __slots__ = ("custom", "done", "height", "kind", "pos", "size", "tag", "value")

    def __init__(self, kind: int, pos: Position, tag: str | None, custom: str | None, value: Any) -> None:
        self.kind = kind
        self.pos = pos
        self.tag = tag
        self.custom = custom  # the tag as shown to users ("!Ref", "!!binary") when not a standard one
        self.value = value
        self.size = 1  # values this node expands to, aliases followed
        self.height = 0  # levels of nesting below and including this node (a scalar is 0)
        self.done = True  # False while a collection's children are still being composed


def _pos(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_Y):] if tag.startswith(_Y) else tag


def parse_yaml(path: str, text: str, tag_handler: Callable[[str, Any], Any] | None = None) -> Document:
    """Parse a single YAML document. An empty stream gives data None.

    tag_handler(tag, value) is called for each node with a non-standard tag ("!Ref", "!!binary", ...)
    with the plain value built from the node (a string for scalars, else a list or dict) and its
    result is used instead. An InputError it raises without a line gets the tagged node's position.
    Without a handler such a tag is an error.
    """
    text = normalise(text)
    loader = None
    try:
        loader = _Loader(text)
        composer = _Composer(path, loader)
        root = composer.compose()
    except yaml.MarkedYAMLError as exc:
        raise _marked_error(path, exc) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(path, text, exc) from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"invalid YAML: {exc}") from None
    except UnicodeError:  # libyaml wants UTF-8: only reachable with unpaired surrogates in `text`
        found = SURROGATE_RE.search(text)
        line, column = line_col(text, found.start()) if found else (None, None)
        raise InputError(path, "the text contains an unpaired surrogate character", line, column) from None
    except RecursionError:  # not expected: the composer is iterative; kept as a last guard
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        if loader is not None:
            loader.dispose()
    builder = _Builder(path, tag_handler, MAX_YAML_NODES if composer.aliases else None)
    if root is None:
        return Document(path, None, builder.positions, builder.key_positions, "yaml")
    try:
        data = builder.build(root, ())
    except RecursionError:  # not expected: depth is bounded while composing; kept as a last guard
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels", root.pos.line, root.pos.column) from None
    return Document(path, data, builder.positions, builder.key_positions, "yaml")


def _marked_error(path: str, exc: yaml.MarkedYAMLError) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context:
        ctx = exc.context
        if exc.context_mark is not None and exc.context_mark is not mark:
            ctx += f" at line {exc.context_mark.line + 1}"
        message += f" ({ctx})"
    if mark is None:
        return InputError(path, message)
    return InputError(path, message, mark.line + 1, mark.column + 1)


def _reader_error(path: str, text: str, exc: yaml.reader.ReaderError) -> InputError:
    char = exc.character
    code = char if isinstance(char, int) else ord(char) if isinstance(char, str) and char else None
    what = f"character U+{code:04X}" if code is not None else "character"
    offset = exc.position
    if _Loader is not yaml.SafeLoader:  # libyaml reports a byte offset into the UTF-8 text
        offset = len(text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "ignore"))
    line, column = line_col(text, min(max(offset, 0), len(text)))
    return InputError(path, f"{what} is not allowed in YAML ({exc.reason})", line, column)


class _Composer:
    """Events -> node graph, iteratively, with the depth and expansion limits checked as it goes."""

    def __init__(self, path: str, loader: Any) -> None:
        self.path = path
        self.loader = loader
        self.anchors: dict[str, _Node] = {}
        self.aliases = 0

    def error(self, message: str, pos: Position) -> InputError:
        return InputError(self.path, message, pos.line, pos.column)

    def compose(self) -> _Node | None:
        get = self.loader.get_event
        get()  # StreamStartEvent
        event = get()
        if isinstance(event, StreamEndEvent):
            return None
        root = self.compose_document()
        get()  # DocumentEndEvent
        event = get()
        if isinstance(event, DocumentStartEvent):
            raise self.error("multiple YAML documents are not supported", _pos(event.start_mark))
        return root

    def compose_document(self) -> _Node:
        get = self.loader.get_event
        stack: list[_Node] = []
        max_depth = MAX_DEPTH
        max_nodes = MAX_YAML_NODES
        while True:
            event = get()
            cls = type(event)
            if cls is ScalarEvent:
                node = self.scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = node
            elif cls is AliasEvent:
                pos = _pos(event.start_mark)
                target = self.anchors.get(event.anchor)
                if target is None:
                    # anchor names are not repeated: `*pa55` may be a password pasted in the wrong place
                    raise self.error("this alias (*name) has no anchor (&name) before it", pos)
                if not target.done:
                    raise self.error("recursive alias: the node its anchor names would contain itself", pos)
                node = _Node(_ALIAS, pos, None, None, target)
                node.size = target.size
                node.height = target.height
                self.aliases += 1
            elif cls is SequenceStartEvent or cls is MappingStartEvent:
                pos = _pos(event.start_mark)
                if len(stack) >= max_depth:
                    raise self.error(f"nesting deeper than {max_depth} levels", pos)
                node = self.collection(event, _SEQUENCE if cls is SequenceStartEvent else _MAPPING, pos)
                node.done = False
                if event.anchor:
                    self.anchors[event.anchor] = node
                stack.append(node)
                continue
            elif cls is SequenceEndEvent or cls is MappingEndEvent:
                node = stack.pop()
                node.done = True
                node.height += 1
                if len(stack) + node.height > max_depth:
                    raise self.error(f"nesting deeper than {max_depth} levels (counting what aliases expand to)",
                                     node.pos)
            else:  # pragma: no cover - the parser emits nothing else inside a document
                raise self.error(f"unexpected YAML event {cls.__name__}", _pos(event.start_mark))
            if not stack:
                return node
            parent = stack[-1]
            parent.value.append(node)
            parent.size += node.size
            if node.height > parent.height:
                parent.height = node.height
            if parent.size > max_nodes and self.aliases:
                raise self.error(f"document expands to more than {max_nodes} nodes (YAML alias bomb?)", parent.pos)

    def scalar(self, event: ScalarEvent) -> _Node:
        pos = _pos(event.start_mark)
        raw = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(ScalarNode, raw, event.implicit)
        if event.style == '"' and SURROGATE_RE.search(raw):
            raise self.error("\\u escapes of surrogates (D800-DFFF) are not allowed in YAML: "
                             "write the character itself or use \\U followed by 8 hex digits", pos)
        if tag in _STRING_TAGS:
            return _Node(_SCALAR, pos, tag, None, raw)
        construct = _CONSTRUCT.get(tag)
        if construct is not None:
            what, fn = construct
            try:
                value = fn(ScalarNode(tag, raw))
            except (ValueError, KeyError, TypeError, IndexError, yaml.YAMLError):  # IndexError: `!!int` with no value
                raise self.error(f"cannot read {repr(raw) if len(raw) <= ECHO_LIMIT else 'the value'} as {what}",
                                 pos) from None
            return _Node(_SCALAR, pos, tag, None, value)
        self.check_kind(tag, "scalar", pos)
        return _Node(_SCALAR, pos, tag, _show_tag(tag), raw)

    def collection(self, event: Any, kind: int, pos: Position) -> _Node:
        tag = event.tag
        if kind == _SEQUENCE:
            if tag is None or tag in ("!", _SEQ):
                return _Node(kind, pos, _SEQ, None, [])
            self.check_kind(tag, "sequence", pos)
        else:
            if tag is None or tag in ("!", _MAP, _SET):
                return _Node(kind, pos, _MAP, None, [])
            self.check_kind(tag, "mapping", pos)
        return _Node(kind, pos, tag, _show_tag(tag), [])

    def check_kind(self, tag: str, kind: str, pos: Position) -> None:
        """A standard tag on the wrong kind of node (e.g. !!int on a mapping) is an error."""
        if tag.startswith(_Y):
            expected = _KIND_NAMES.get(tag[len(_Y):])
            if expected is not None and expected != kind:
                raise self.error(f"tag {_show_tag(tag)} cannot be used on a {kind}", pos)


class _Builder:
    """Node graph -> plain values, recording positions. Depth and size were bounded by _Composer."""

    def __init__(self, path: str, tag_handler: Callable[[str, Any], Any] | None, max_nodes: int | None) -> None:
        self.path = path
        self.handler = tag_handler
        # a second guard against alias bombs: _Composer's count is exact, so this never fires unless it breaks
        self.budget = max_nodes + 1 if max_nodes is not None else -1  # reaching 0 means one too many
        self.max_nodes = max_nodes
        self.positions: dict[tuple, Position] = {}
        self.key_positions: dict[tuple, Position] = {}

    def error(self, message: str, pos: Position) -> InputError:
        return InputError(self.path, message, pos.line, pos.column)

    def build(self, node: _Node, p: tuple) -> Any:
        if node.kind == _ALIAS:
            value = self.build(node.value, p)
            self.positions[p] = node.pos  # an alias's value starts where the alias is written
            return value
        self.positions[p] = node.pos
        self.budget -= 1
        if self.budget == 0:  # only reachable when counting (budget starts at -1 otherwise)
            raise self.error(f"document expands to more than {self.max_nodes} nodes (YAML alias bomb?)", node.pos)
        if node.custom is not None:
            return self.tagged(node, p)
        return self.plain(node, p)

    def plain(self, node: _Node, p: tuple) -> Any:
        kind = node.kind
        if kind == _SCALAR:
            return node.value
        if kind == _SEQUENCE:
            build = self.build
            return [build(child, p + (i,)) for i, child in enumerate(node.value)]
        return self.mapping(node, p)

    def mapping(self, node: _Node, p: tuple) -> dict:
        own: dict[str, Position] = {}
        entries: list[tuple[str | None, _Node, _Node]] = []
        children = iter(node.value)
        for knode, vnode in zip(children, children):
            target = knode.value if knode.kind == _ALIAS else knode
            if target.kind == _SCALAR and target.tag == _MERGE and target.custom is None:
                entries.append((None, knode, vnode))
                continue
            key = self.key(knode)
            first = own.get(key)
            if first is not None:
                raise self.error(f"duplicate key {quote(key)} (first at line {first.line})", knode.pos)
            own[key] = knode.pos
            entries.append((key, knode, vnode))
        result: dict[str, Any] = {}
        for name, knode, vnode in entries:
            if name is None:
                self.merge(vnode, p, result, own)
            else:
                kp = p + (name,)
                self.key_positions[kp] = knode.pos
                result[name] = self.build(vnode, kp)
        return result

    def merge(self, vnode: _Node, p: tuple, result: dict, own: Mapping[str, Position]) -> None:
        """`<<: *base` or `<<: [*a, *b]`: keys of the mapping itself win, then earlier sources."""
        target = vnode.value if vnode.kind == _ALIAS else vnode
        sources = target.value if target.kind == _SEQUENCE and target.custom is None else [vnode]
        for source in sources:
            mapping = source.value if source.kind == _ALIAS else source
            if mapping.kind != _MAPPING or mapping.custom is not None:
                raise self.error("the merge key '<<' needs a mapping or a list of mappings", source.pos)
            built, positions, key_positions = self.isolated(source)
            taken = set()
            for k, v in built.items():
                if k not in own and k not in result:
                    result[k] = v
                    taken.add(k)
            self.graft(positions, self.positions, p, taken)
            self.graft(key_positions, self.key_positions, p, taken)

    def isolated(self, node: _Node) -> tuple[Any, dict, dict]:
        """Build `node` at path () into fresh position maps (to be grafted elsewhere)."""
        saved = self.positions, self.key_positions
        self.positions, self.key_positions = {}, {}
        try:
            value = self.build(node, ())
            return value, self.positions, self.key_positions
        finally:
            self.positions, self.key_positions = saved

    @staticmethod
    def graft(relative: Mapping[tuple, Position], into: dict, prefix: tuple, keys: set) -> None:
        """Copy positions recorded at relative paths whose first step is in `keys` to `prefix` + path."""
        for rp, pos in relative.items():
            if rp and rp[0] in keys:
                into[prefix + rp] = pos

    def key(self, knode: _Node) -> str:
        target = knode.value if knode.kind == _ALIAS else knode
        if target.kind != _SCALAR:
            raise self.error("a list or mapping cannot be used as a mapping key", knode.pos)
        value = self.call_handler(target, target.value) if target.custom is not None else target.value
        if isinstance(value, (dict, list)):
            raise self.error("a list or mapping cannot be used as a mapping key", knode.pos)
        return value if isinstance(value, str) else str(value)

    def call_handler(self, node: _Node, value: Any) -> Any:
        if self.handler is None:
            # a local tag (`!pa55`) is user text and not repeated; a standard one (`!!binary`) is shown
            shown = f" {node.custom}" if node.custom and node.custom.startswith("!!") else " (not repeated here)"
            raise self.error(f"unknown tag{shown}", node.pos)
        assert node.custom is not None  # called only for nodes with a non-standard tag
        try:
            return self.handler(node.custom, value)
        except InputError as exc:
            if exc.line is None:
                raise InputError(self.path, exc.message, node.pos.line, node.pos.column, exc.pointer) from exc
            raise

    def tagged(self, node: _Node, p: tuple) -> Any:
        if node.kind == _SCALAR:
            raw, positions, key_positions = node.value, {(): node.pos}, {}
        else:
            saved = self.positions, self.key_positions
            self.positions, self.key_positions = {(): node.pos}, {}
            try:
                raw = self.plain(node, ())
                positions, key_positions = self.positions, self.key_positions
            finally:
                self.positions, self.key_positions = saved
        result = self.call_handler(node, raw)
        where = _locate(result, raw)
        if where is not None:
            # the handler wrapped the value (e.g. {"Fn::GetAtt": [...]}): keep the inner positions
            for i in range(1, len(where) + 1):
                self.positions[p + where[:i]] = node.pos
                if isinstance(where[i - 1], str):
                    self.key_positions[p + where[:i]] = node.pos
            base = p + where
            for rp, pos in positions.items():
                if rp:
                    self.positions[base + rp] = pos
            for rp, pos in key_positions.items():
                self.key_positions[base + rp] = pos
        return result


def _locate(result: Any, raw: Any) -> tuple | None:
    """Where `raw` sits inside the handler's `result` (by identity, at most two levels down)."""
    if result is raw:
        return ()
    for k, v in _members(result):
        if v is raw:
            return (k,)
    for k, v in _members(result):
        for k2, v2 in _members(v):
            if v2 is raw:
                return (k, k2)
    return None


def _members(value: Any) -> Any:
    if isinstance(value, dict):
        return value.items()
    if isinstance(value, list):
        return enumerate(value)
    return ()
