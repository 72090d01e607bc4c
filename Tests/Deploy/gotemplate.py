"""A small renderer for the subset of Go templates (and Helm's functions) that charts/odcs uses.

Helm is not installable on the CI machine, so the deploy tests render the chart with this.
It implements, with Go's semantics: actions with whitespace trimming (``{{-`` / ``-}}``),
comments, pipelines, parenthesised sub-pipelines, field chains on ``.``, ``$`` and ``$var``,
``if``/``else if``/``else``/``end``, ``range`` (lists and maps, with ``$i, $v :=``), ``with``,
``define``/``include``/``template``, variable declarations, and the functions listed in
``FUNCTIONS``. Anything else raises ``TemplateError``, so a chart that drifts outside the subset
fails the test instead of being rendered wrongly.
"""

import base64
import hashlib
import json
import re

import yaml


class TemplateError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Lexing: text and actions.

ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)


def split_actions(source, name):
    """Returns a list of ("text", str) and ("action", str) with Go's trimming applied."""
    parts = []
    pos = 0
    for match in ACTION.finditer(source):
        text = source[pos : match.start()]
        if match.group(1):
            text = text.rstrip(" \t\r\n")
        parts.append(["text", text])
        body = match.group(2).strip()
        parts.append(["action", body, bool(match.group(3))])
        pos = match.end()
    parts.append(["text", source[pos:]])
    # A right trim marker trims the text that follows.
    for i, part in enumerate(parts):
        if part[0] == "action" and part[2] and i + 1 < len(parts):
            parts[i + 1][1] = parts[i + 1][1].lstrip(" \t\r\n")
    return [(p[0], p[1]) for p in parts if not (p[0] == "action" and p[1].startswith("/*"))]


TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*"|`[^`]*`)
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<declare>:=|=)
    | (?P<pipe>\|)
    | (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<comma>,)
    | (?P<field>(?:\$[A-Za-z0-9_]*|\.)(?:[A-Za-z0-9_]+)?(?:\.[A-Za-z0-9_]+)*)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.X,
)


def tokenize(text):
    tokens = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise TemplateError(f"cannot parse {text[pos:]!r} in {{{{ {text} }}}}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


# ---------------------------------------------------------------------------------------------
# Parsing: a tree of nodes.


class Parser:
    def __init__(self, parts, name):
        self.parts = parts
        self.pos = 0
        self.name = name
        self.defines = {}

    def parse(self, stop=()):
        nodes = []
        while self.pos < len(self.parts):
            kind, body = self.parts[self.pos]
            if kind == "text":
                self.pos += 1
                if body:
                    nodes.append(("text", body))
                continue
            word = body.split(None, 1)[0] if body else ""
            if word in stop:
                return nodes, body
            self.pos += 1
            if word == "if":
                nodes.append(self.parse_if(body[2:].strip()))
            elif word in ("range", "with"):
                nodes.append(self.parse_block(word, body[len(word) :].strip()))
            elif word == "define":
                name = json.loads(body[len("define") :].strip())
                children, end = self.parse(stop=("end",))
                self.expect_end(end)
                self.defines[name] = children
            elif word in ("end", "else"):
                raise TemplateError(f"{self.name}: unexpected {{{{ {body} }}}}")
            elif word == "template":
                nodes.append(("action", "include " + body[len("template") :].strip(), False))
            else:
                nodes.append(("action", body, True))
        if stop:
            raise TemplateError(f"{self.name}: missing {{{{ end }}}}")
        return nodes, None

    def expect_end(self, body):
        if body != "end":
            raise TemplateError(f"{self.name}: expected {{{{ end }}}}, got {{{{ {body} }}}}")
        self.pos += 1

    def parse_if(self, condition):
        branches = []
        while True:
            children, end = self.parse(stop=("else", "end"))
            branches.append((condition, children))
            self.pos += 1
            if end == "end":
                return ("if", branches, None)
            rest = end[len("else") :].strip()
            if rest.startswith("if "):
                condition = rest[3:].strip()
                continue
            otherwise, end = self.parse(stop=("end",))
            self.expect_end(end)
            return ("if", branches, otherwise)

    def parse_block(self, word, pipeline):
        children, end = self.parse(stop=("else", "end"))
        otherwise = None
        if end != "end":
            self.pos += 1
            otherwise, end = self.parse(stop=("end",))
        self.expect_end(end)
        return (word, pipeline, children, otherwise)


# ---------------------------------------------------------------------------------------------
# Evaluation.


def truthy(value):
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, (str, list, dict, tuple)):
        return len(value) > 0
    return True


def go_string(value):
    if value is None:
        return "<no value>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, (dict, list)):
        raise TemplateError(f"refusing to print a {type(value).__name__} without toYaml/toJson: {value!r}")
    return str(value)


def go_float(value):
    """fmt's %v of a float64 (strconv 'g', shortest): 3600 -> "3600", 53687091200 -> "5.36870912e+10".

    Helm reads every number in values.yaml as a float64, so a template that prints a large
    number without `int64` gets the exponent form; the renderer must do the same to catch it.
    """
    import decimal

    if value != value or value in (float("inf"), float("-inf")):
        return {True: "+Inf", False: "-Inf"}.get(value > 0, "NaN") if value == value else "NaN"
    if value == 0:
        return "0"
    digits = decimal.Decimal(repr(value)).normalize()
    sign, mantissa, exponent = digits.as_tuple()
    text = "".join(map(str, mantissa))
    exp = len(mantissa) + exponent - 1
    if exp < -4 or exp >= 6:
        head = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return ("-" if sign else "") + f"{head}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    return ("-" if sign else "") + format(decimal.Decimal(repr(value)).normalize(), "f")


def floats(value):
    """Numbers as Helm holds values.yaml's: float64 (booleans stay booleans)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [floats(v) for v in value]
    return value


def json_numbers(value):
    """Numbers as Helm's toYaml/toJson write them (through encoding/json: 2.0 -> 2)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_numbers(v) for v in value]
    return value


def to_yaml(value):
    if value is None:
        return ""
    return yaml.safe_dump(json_numbers(value), default_flow_style=False, sort_keys=True).rstrip("\n")


def indent(count, text):
    pad = " " * int(count)
    return "\n".join(pad + line if line else line for line in str(text).split("\n"))


class Renderer:
    def __init__(self, templates):
        """templates: {path: source}. Every file's defines are visible everywhere (like Helm)."""
        self.trees = {}
        self.defines = {}
        for path, source in templates.items():
            parser = Parser(split_actions(source, path), path)
            tree, _ = parser.parse()
            self.trees[path] = tree
            self.defines.update(parser.defines)
            self.defines[path] = tree

    def render(self, path, root):
        return self.execute(self.trees[path], root, {"$": root})

    def execute(self, nodes, dot, variables):
        out = []
        variables = dict(variables)
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "action":
                tokens = tokenize(node[1])
                if len(tokens) >= 2 and tokens[0][0] == "field" and tokens[0][1].startswith("$") and tokens[1][0] == "declare":
                    variables[tokens[0][1]] = self.pipeline(tokens[2:], dot, variables)
                    continue
                value = self.pipeline(tokens, dot, variables)
                out.append(go_string(value))
            elif kind == "if":
                _, branches, otherwise = node
                for condition, children in branches:
                    if truthy(self.pipeline(tokenize(condition), dot, variables)):
                        out.append(self.execute(children, dot, variables))
                        break
                else:
                    if otherwise is not None:
                        out.append(self.execute(otherwise, dot, variables))
            elif kind == "with":
                _, pipeline, children, otherwise = node
                value = self.pipeline(tokenize(pipeline), dot, variables)
                if truthy(value):
                    out.append(self.execute(children, value, variables))
                elif otherwise is not None:
                    out.append(self.execute(otherwise, dot, variables))
            elif kind == "range":
                _, pipeline, children, otherwise = node
                tokens = tokenize(pipeline)
                names = []
                if any(t[0] == "declare" for t in tokens):
                    split = next(i for i, t in enumerate(tokens) if t[0] == "declare")
                    names = [t[1] for t in tokens[:split] if t[0] == "field"]
                    tokens = tokens[split + 1 :]
                collection = self.pipeline(tokens, dot, variables)
                items = sorted(collection.items()) if isinstance(collection, dict) else list(enumerate(collection or []))
                if not items and otherwise is not None:
                    out.append(self.execute(otherwise, dot, variables))
                for key, value in items:
                    scope = dict(variables)
                    if len(names) == 1:
                        scope[names[0]] = value
                    elif len(names) == 2:
                        scope[names[0]], scope[names[1]] = key, value
                    out.append(self.execute(children, value, scope))
        return "".join(out)

    # A pipeline: command (| command)*; each command's result is the last argument of the next.
    def pipeline(self, tokens, dot, variables):
        commands = [[]]
        depth = 0
        for token in tokens:
            if token[0] == "lparen":
                depth += 1
            elif token[0] == "rparen":
                depth -= 1
            if token[0] == "pipe" and depth == 0:
                commands.append([])
            else:
                commands[-1].append(token)
        value = None
        for index, command in enumerate(commands):
            extra = [value] if index > 0 else []
            value = self.command(command, dot, variables, extra)
        return value

    def command(self, tokens, dot, variables, extra):
        if not tokens:
            raise TemplateError("empty command")
        args = []
        i = 0
        while i < len(tokens):
            kind, text = tokens[i]
            if kind == "lparen":
                depth, j = 1, i + 1
                while depth:
                    depth += {"lparen": 1, "rparen": -1}.get(tokens[j][0], 0)
                    j += 1
                args.append(("value", self.pipeline(tokens[i + 1 : j - 1], dot, variables)))
                i = j
                continue
            if kind == "string":
                args.append(("value", json.loads(text) if text.startswith('"') else text[1:-1]))
            elif kind == "number":
                args.append(("value", float(text) if "." in text else int(text)))
            elif kind == "field":
                args.append(("value", self.field(text, dot, variables)))
            elif kind == "ident":
                if text in ("true", "false"):
                    args.append(("value", text == "true"))
                elif text == "nil":
                    args.append(("value", None))
                else:
                    args.append(("func", text))
            else:
                raise TemplateError(f"unexpected {text!r}")
            i += 1
        head = args[0]
        if head[0] == "func":
            values = [a[1] for a in args[1:]] + extra
            for a in args[1:]:
                if a[0] == "func":
                    raise TemplateError(f"function {a[1]} used as an argument without parentheses")
            return self.call(head[1], values, dot)
        if len(args) > 1 or extra:
            raise TemplateError(f"cannot call a value: {tokens!r}")
        return head[1]

    def field(self, text, dot, variables):
        if text.startswith("$"):
            name, _, rest = text.partition(".")
            if name not in variables:
                raise TemplateError(f"undefined variable {name}")
            value = variables[name]
        else:
            value, rest = dot, text[1:]
        for part in [p for p in rest.split(".") if p]:
            if isinstance(value, dict):
                value = value.get(part)
            elif value is None:
                raise TemplateError(f"nil pointer evaluating {text}")
            else:
                raise TemplateError(f"cannot read {part} of {value!r} in {text}")
        return value

    def call(self, name, args, dot):
        if name == "include":
            template, context = args
            if template not in self.defines:
                raise TemplateError(f"no template {template!r}")
            return self.execute(self.defines[template], context, {"$": context})
        if name not in FUNCTIONS:
            raise TemplateError(f"function {name!r} is not in the renderer's subset")
        return FUNCTIONS[name](*args)


def _required(message, value):
    if value is None or value == "":
        raise TemplateError(f"required: {message}")
    return value


def _default(fallback, value=None):
    return value if truthy(value) else fallback


def _fail(message):
    raise TemplateError(f"fail: {message}")


FUNCTIONS = {
    "toYaml": to_yaml,
    "toJson": lambda v: json.dumps(json_numbers(v), separators=(",", ":"), sort_keys=True),
    "nindent": lambda n, s: "\n" + indent(n, s),
    "indent": indent,
    "quote": lambda *v: " ".join(json.dumps(go_string(x) if x is not None else "") for x in v),
    "squote": lambda v: "'" + go_string(v) + "'",
    "default": _default,
    "required": _required,
    "fail": _fail,
    "trunc": lambda n, s: s[:n] if n >= 0 else s[n:],
    "trimSuffix": lambda suffix, s: s[: -len(suffix)] if suffix and s.endswith(suffix) else s,
    "printf": lambda fmt, *args: re.sub(r"%[sdv]", "{}", fmt).format(*[go_string(a) for a in args]),
    "print": lambda *args: "".join(go_string(a) for a in args),
    "join": lambda sep, items: sep.join(go_string(i) for i in items),
    "b64enc": lambda s: base64.b64encode(go_string(s).encode()).decode(),
    "sha256sum": lambda s: hashlib.sha256(s.encode()).hexdigest(),
    "eq": lambda a, *bs: any(a == b for b in bs),
    "ne": lambda a, b: a != b,
    "not": lambda v: not truthy(v),
    "and": lambda *vs: next((v for v in vs if not truthy(v)), vs[-1]),
    "or": lambda *vs: next((v for v in vs if truthy(v)), vs[-1]),
    "has": lambda item, items: item in (items or []),
    "empty": lambda v: not truthy(v),
    "add": lambda *vs: sum(int(v) for v in vs),
    "int64": lambda v: int(v),
    "int": lambda v: int(v),
    "splitList": lambda sep, s: s.split(sep),
}


def render_chart(chart_dir, values_override=None, release_name="odcs", namespace="odcs"):
    """Renders every template of a chart like `helm template`: returns {path: text}."""
    import pathlib

    chart_dir = pathlib.Path(chart_dir)
    chart = yaml.safe_load((chart_dir / "Chart.yaml").read_text())
    values = yaml.safe_load((chart_dir / "values.yaml").read_text()) or {}
    values = floats(merge(values, values_override or {}))
    templates = {}
    for path in sorted((chart_dir / "templates").iterdir()):
        if path.is_file():
            templates[f"{chart['name']}/templates/{path.name}"] = path.read_text()
    renderer = Renderer(templates)
    root = {
        "Values": values,
        "Chart": {"Name": chart["name"], "Version": chart["version"], "AppVersion": chart.get("appVersion")},
        "Release": {"Name": release_name, "Namespace": namespace, "Service": "Helm", "IsInstall": True, "IsUpgrade": False},
        "Template": {"BasePath": f"{chart['name']}/templates"},
    }
    out = {}
    for path in templates:
        if path.rsplit("/", 1)[1].startswith("_"):
            continue
        out[path] = renderer.render(path, dict(root, Template={"BasePath": root["Template"]["BasePath"], "Name": path}))
    return out


def merge(base, override):
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result
